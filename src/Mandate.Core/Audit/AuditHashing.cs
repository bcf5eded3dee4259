using System.Security.Cryptography;
using System.Text;

namespace Mandate.Core.Audit;

/// <summary>
/// The hashes of the ledger. Chain: <c>hash = SHA-256(UTF-8(previous hash, lower-case hex) || 0x0A || canonical body)</c>,
/// starting from 64 zeros. Checkpoints: an RFC 6962/9162 Merkle tree whose leaf hash is <c>SHA-256(0x00 || body)</c>
/// and whose interior node hash is <c>SHA-256(0x01 || left || right)</c>.
/// </summary>
internal static class AuditHashing
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string ChainHash(string previousHash, ReadOnlySpan<byte> canonicalBody)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        ChainHash(previousHash, canonicalBody, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The chain hash into <paramref name="destination"/> (32 bytes), without allocating.</summary>
    public static void ChainHash(string previousHash, ReadOnlySpan<byte> canonicalBody, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(previousHash);
        var prefixLength = Encoding.UTF8.GetByteCount(previousHash) + 1;
        var length = prefixLength + canonicalBody.Length;
        var rented = length <= 1024 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        Span<byte> input = rented ?? stackalloc byte[1024];
        input = input[..length];
        Encoding.UTF8.GetBytes(previousHash, input);
        input[prefixLength - 1] = (byte)'\n';
        canonicalBody.CopyTo(input[prefixLength..]);
        SHA256.HashData(input, destination);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static string ChainHash(string previousHash, string canonicalBody) =>
        ChainHash(previousHash, Encoding.UTF8.GetBytes(canonicalBody));

    public static byte[] LeafHash(ReadOnlySpan<byte> leaf)
    {
        // Once per event of every verification: no copy of the body on the heap for the one-byte prefix.
        var length = leaf.Length + 1;
        var rented = length <= 1024 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        Span<byte> input = rented ?? stackalloc byte[1024];
        input = input[..length];
        input[0] = 0x00;
        leaf.CopyTo(input[1..]);
        var hash = SHA256.HashData(input);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }

        return hash;
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[1 + (2 * SHA256.HashSizeInBytes)];
        input[0] = 0x01;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + SHA256.HashSizeInBytes)..]);
        return SHA256.HashData(input);
    }
}
