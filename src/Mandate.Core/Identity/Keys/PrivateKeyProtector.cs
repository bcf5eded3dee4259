using System.Security.Cryptography;
using System.Text;

namespace Mandate.Core.Identity.Keys;

/// <summary>
/// Encrypts private keys (PKCS#8) with AES-256-GCM under the key-encryption key. Layout: version byte (1), 12-byte
/// nonce, 16-byte tag, ciphertext. The key id is bound as associated data so a ciphertext cannot be moved to another row.
/// </summary>
internal sealed class PrivateKeyProtector(IKeyEncryptionKeySource keySource)
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>Where the key-encryption key comes from (for messages; never the key).</summary>
    public string KeyOrigin => keySource.Origin;

    public byte[] Protect(string kid, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[1 + NonceSize + TagSize + plaintext.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(keySource.Key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize + TagSize), output.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(kid));
        return output;
    }

    /// <exception cref="CryptographicException">The data was not encrypted under this key-encryption key for this kid.</exception>
    public byte[] Unprotect(string kid, ReadOnlySpan<byte> protectedData)
    {
        if (protectedData.Length < 1 + NonceSize + TagSize || protectedData[0] != Version)
        {
            throw new CryptographicException("The protected key has an unknown format.");
        }

        var plaintext = new byte[protectedData.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(keySource.Key, TagSize);
        aes.Decrypt(protectedData.Slice(1, NonceSize), protectedData[(1 + NonceSize + TagSize)..], protectedData.Slice(1 + NonceSize, TagSize), plaintext, Encoding.UTF8.GetBytes(kid));
        return plaintext;
    }
}
