using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Identity.Keys;

/// <summary>Turns stored keys into ring keys: decrypts the private halves, reusing those already in memory.</summary>
internal sealed class KeyLoader(PrivateKeyProtector protector)
{
    /// <summary>
    /// The ring keys for <paramref name="stored"/>. Keys already decrypted are reused (the store hands out new arrays
    /// on every read, so the key material is compared by content); only a changed schedule gives the same key a new
    /// <see cref="RingKey"/>.
    /// </summary>
    public IReadOnlyList<RingKey> Load(IReadOnlyList<StoredKey> stored, IReadOnlyDictionary<string, RingKey> loaded)
    {
        var keys = new List<RingKey>(stored.Count);
        foreach (var key in stored)
        {
            if (loaded.TryGetValue(key.Kid, out var existing) && existing.Stored.HasSameMaterial(key))
            {
                keys.Add(existing.Stored.HasSameSchedule(key) ? existing : new RingKey(key, existing.SigningKey, existing.Certificate));
                continue;
            }

            keys.Add(Load(key));
        }

        return keys;
    }

    private RingKey Load(StoredKey key)
    {
        byte[] pkcs8;
        try
        {
            pkcs8 = protector.Unprotect(key.Kid, key.EncryptedPrivateKey);
        }
        catch (CryptographicException ex)
        {
            throw new KeyRingException(
                $"The private key '{key.Kid}' in the store cannot be decrypted with this node's key-encryption key (from {protector.KeyOrigin}): "
                + "it is not the key the store's keys were sealed with. Every node sharing a store must be given the same key "
                + "(Mandate:KeyEncryption:Key or Mandate:KeyEncryption:KeyFile, or the same identity.kek in each state directory); "
                + "this node refuses to start rather than fail to sign.",
                ex);
        }

        try
        {
            var privateKey = SigningAlgorithms.ImportPkcs8(key.Algorithm, pkcs8);
            X509Certificate2? certificate = null;
            try
            {
                if (key.Certificate is not null)
                {
                    using var publicCertificate = X509CertificateLoader.LoadCertificate(key.Certificate);
                    certificate = publicCertificate.CopyWithPrivateKey(((ECDsaSecurityKey)privateKey).ECDsa);
                }

                return new RingKey(key, privateKey, certificate);
            }
            catch
            {
                certificate?.Dispose();
                SigningAlgorithms.Destroy(privateKey);
                throw;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }
}
