using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Audit;

/// <summary>
/// The checkpoint signing key: an ES256 key dedicated to the audit ledger (the identity key ring signs tokens; the
/// ledger keeps its own key so a token-key rotation never strands old checkpoints). The private key lives in the store
/// sealed with AES-256-GCM under a key-encryption key kept in a 0600 file next to the server's state; the public key
/// is stored in clear and exported with every range so it verifies offline.
/// </summary>
internal sealed class AuditSigningKeys(IMandateStore store, IOptions<AuditOptions> options, TimeProvider time)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    // A reference, so that the lock-free read below sees either nothing or a whole key (a nullable tuple is several
    // fields and could be read half-written).
    private volatile Loaded? current;

    /// <summary>The key to sign with: the newest stored key this node can unseal, or a new one.</summary>
    public async Task<(AuditPublicKey PublicKey, ECDsa PrivateKey)> CurrentAsync(CancellationToken cancellationToken)
    {
        if (current is { } cached)
        {
            return (cached.PublicKey, cached.PrivateKey);
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (current is { } raced)
            {
                return (raced.PublicKey, raced.PrivateKey);
            }

            var (kek, origin) = LoadOrCreateKeyEncryptionKey();
            var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            var repository = session.Get<IAuditRepository>();
            var storedKeys = await repository.GetSigningKeysAsync(cancellationToken).ConfigureAwait(false);
            foreach (var stored in storedKeys)
            {
                if (TryUnseal(kek, stored) is { } unsealed)
                {
                    current = new Loaded(stored.PublicKey, unsealed);
                    return (stored.PublicKey, unsealed);
                }
            }

            if (storedKeys.Count > 0)
            {
                // Another key-encryption key sealed them: a forgotten secret, or nodes given different ones. Making a key
                // of its own would split the cluster's checkpoints over keys nobody chose; refuse instead.
                throw new AuditSigningKeyException(
                    $"The audit checkpoint signing key '{storedKeys[0].PublicKey.KeyId}' in the store cannot be decrypted with this node's audit "
                    + $"key-encryption key (from {origin}): it is not the key the store's checkpoint key was sealed with. Every node sharing a "
                    + "store must be given the same audit key (Mandate:Audit:KeyEncryptionKey or Mandate:Audit:KeyEncryptionKeyPath, or the "
                    + "same audit-signing.kek in each state directory); this node refuses to start rather than sign with a key of its own.");
            }

            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            try
            {
                var parameters = key.ExportParameters(false);
                var kid = "audit-" + AuditPublicKey.Thumbprint(
                    Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Q.X),
                    Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Q.Y))[..16];
                var publicKey = AuditPublicKey.FromEcdsa(kid, key);

                // Seal zeroes the exported private key once it is encrypted.
                await repository.AddSigningKeyAsync(new StoredAuditSigningKey(publicKey, Seal(kek, kid, key.ExportPkcs8PrivateKey()), time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                current = new Loaded(publicKey, key);
                return (publicKey, key);
            }
            catch
            {
                key.Dispose();
                throw;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The audit key-encryption key, and where it came from (for an error; never the key).</summary>
    private (byte[] Key, string Origin) LoadOrCreateKeyEncryptionKey()
    {
        if (options.Value.KeyEncryptionKey is { } configured)
        {
            return (Identity.Keys.KeyEncryptionKeyText.Decode(configured), "the setting Mandate:Audit:KeyEncryptionKey");
        }

        var path = options.Value.KeyEncryptionKeyPath
            ?? throw new InvalidOperationException("No key-encryption key path is configured (AuditOptions.KeyEncryptionKeyPath); checkpoints cannot be signed.");
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path);
            if (Identity.Keys.KeyEncryptionKeyText.Problem(text) is { } problem)
            {
                throw new StoreException($"The audit key-encryption key file {path} {problem}");
            }

            return (Identity.Keys.KeyEncryptionKeyText.Decode(text), "the file " + path);
        }

        Storage.PrivateFiles.EnsureDirectory(Path.GetDirectoryName(Path.GetFullPath(path)));

        var kek = RandomNumberGenerator.GetBytes(32);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, fileOptions))
        using (var writer = new StreamWriter(stream, Encoding.ASCII))
        {
            writer.Write(Convert.ToBase64String(kek));
        }

        return (kek, $"the file {path} (generated now: no audit key was configured)");
    }

    private static byte[] Seal(byte[] kek, string kid, byte[] plaintext)
    {
        try
        {
            var nonce = RandomNumberGenerator.GetBytes(12);
            var tag = new byte[16];
            var ciphertext = new byte[plaintext.Length];
            using var aes = new AesGcm(kek, 16);
            aes.Encrypt(nonce, plaintext, ciphertext, tag, Encoding.UTF8.GetBytes(kid));
            return [.. nonce, .. tag, .. ciphertext];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static ECDsa? TryUnseal(byte[] kek, StoredAuditSigningKey stored)
    {
        var sealedKey = stored.EncryptedPrivateKey;
        if (sealedKey.Length < 28)
        {
            return null;
        }

        var plaintext = new byte[sealedKey.Length - 28];
        try
        {
            using var aes = new AesGcm(kek, 16);
            aes.Decrypt(sealedKey.AsSpan(0, 12), sealedKey.AsSpan(28), sealedKey.AsSpan(12, 16), plaintext, Encoding.UTF8.GetBytes(stored.PublicKey.KeyId));
            var key = ECDsa.Create();
            try
            {
                key.ImportPkcs8PrivateKey(plaintext, out _);
                return key;
            }
            catch
            {
                key.Dispose();
                throw;
            }
        }
        catch (CryptographicException)
        {
            // Sealed under another node's key-encryption key: not ours to use.
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private sealed record Loaded(AuditPublicKey PublicKey, ECDsa PrivateKey);
}
