using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Mandate.Core.Credentials;

/// <summary>
/// The SHA-256 of a bearer token's UTF-8 bytes, as every stored or configured token hash is made (admin, operator, PEP
/// credentials), computed without a heap allocation: a token is checked on every request that carries one, often
/// straight from the header that carried it.
/// </summary>
internal static class TokenHashing
{
    /// <summary>
    /// Tokens up to this many characters are encoded on the stack (at most about 1.5 KiB); longer ones in a pooled
    /// array. Every caller accepts at most this many today, so the pool is only the fallback.
    /// </summary>
    internal const int MaxStackChars = 512;

    /// <summary>Writes the SHA-256 of <paramref name="token"/>'s UTF-8 bytes to <paramref name="sha256"/> (32 bytes).</summary>
    /// <remarks>
    /// Encoded as <see cref="Encoding.UTF8"/> does (an unpaired surrogate becomes U+FFFD), so the hash equals one made
    /// with <c>SHA256.HashData(Encoding.UTF8.GetBytes(token))</c>, the way the stored hashes were made.
    /// </remarks>
    public static void Sha256Utf8(ReadOnlySpan<char> token, Span<byte> sha256)
    {
        if (sha256.Length < SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"The destination needs {SHA256.HashSizeInBytes} bytes.", nameof(sha256));
        }

        var maxBytes = Encoding.UTF8.GetMaxByteCount(token.Length);
        byte[]? rented = null;
        var utf8 = token.Length <= MaxStackChars ? stackalloc byte[maxBytes] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(token, utf8)], sha256);
        }
        finally
        {
            if (rented is not null)
            {
                // A pooled array outlives this call and is handed to other code: the token's bytes must not travel with it.
                CryptographicOperations.ZeroMemory(rented.AsSpan(0, maxBytes));
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
