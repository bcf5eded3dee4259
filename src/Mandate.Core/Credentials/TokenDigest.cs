using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Mandate.Core.Credentials;

/// <summary>
/// A token's SHA-256 as two 128-bit halves: a dictionary key that costs no allocation to make, hash or compare, so a
/// token can be remembered by its digest and never by itself.
/// </summary>
/// <remarks>
/// Equality is not constant-time: it is for finding a digest among remembered ones, not for checking a presented secret
/// against an expected hash (that is <see cref="CryptographicOperations.FixedTimeEquals"/> over
/// <see cref="TokenHashing.Sha256Utf8"/>'s output).
/// </remarks>
internal readonly record struct TokenDigest(UInt128 High, UInt128 Low)
{
    /// <summary>The digest of <paramref name="token"/>'s UTF-8 bytes: the hash stored for issued and configured credentials.</summary>
    public static TokenDigest OfUtf8(ReadOnlySpan<char> token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        TokenHashing.Sha256Utf8(token, hash);
        return FromHash(hash);
    }

    /// <summary>
    /// The digest of <paramref name="token"/>'s UTF-16 text as it is in memory, for a key that only this process
    /// compares: no encoding pass, and distinct texts stay distinct (UTF-8 turns every unpaired surrogate into U+FFFD,
    /// so two texts could share a key). Not comparable with <see cref="OfUtf8"/>.
    /// </summary>
    public static TokenDigest OfUtf16(ReadOnlySpan<char> token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(token), hash);
        return FromHash(hash);
    }

    private static TokenDigest FromHash(ReadOnlySpan<byte> hash) =>
        new(BinaryPrimitives.ReadUInt128BigEndian(hash), BinaryPrimitives.ReadUInt128BigEndian(hash[16..]));

    /// <summary>The hash in lower-case hex, as stored (<see cref="Operators.OperatorDirectory.Hash"/>).</summary>
    public string ToHex()
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        BinaryPrimitives.WriteUInt128BigEndian(hash, High);
        BinaryPrimitives.WriteUInt128BigEndian(hash[16..], Low);
        return Convert.ToHexStringLower(hash);
    }
}
