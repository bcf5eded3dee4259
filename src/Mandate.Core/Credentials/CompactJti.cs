using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Mandate.Core.Credentials;

/// <summary>
/// Mandate's <c>jti</c> format: 128 random bits as 22 base64url characters, with the lowest bit set so that the low
/// half is never zero (the revocation table uses zero to mean "empty slot"). Such a <c>jti</c> is held in the
/// revocation set as two machine words instead of a string.
/// </summary>
internal static class CompactJti
{
    public const int Length = 22;

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        bytes[0] |= 1;
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Reads a canonical 22-character base64url <c>jti</c> with a non-zero low half; anything else is not compact.</summary>
    public static bool TryParse(string jti, out ulong low, out ulong high)
    {
        low = 0;
        high = 0;
        if (jti is null || jti.Length != Length)
        {
            return false;
        }

        // 22 characters carry 132 bits; the last character's 4 spare bits must be zero, or two strings would map to one key.
        var last = jti[Length - 1];
        if (last is not ('A' or 'Q' or 'g' or 'w'))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (Base64Url.DecodeFromChars(jti, bytes, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != Length
            || written != 16)
        {
            return false;
        }

        low = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        high = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        return low != 0;
    }
}
