namespace Mandate.Core.Secrets;

/// <summary>
/// GitHub's classic and app tokens (<c>ghp_ gho_ ghu_ ghs_ ghr_</c>) end in a checksum: their 36 characters are 30
/// random base62 characters and the CRC32 of those 30, written in base62 (0-9, A-Z, a-z) and left-padded with '0' to
/// six characters. A string of the right shape whose checksum fails is not a token GitHub issued.
/// </summary>
internal static class GitHubTokenChecksum
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Whether <paramref name="body"/> (the 36 characters after the prefix) carries a valid checksum.</summary>
    public static bool IsValid(ReadOnlySpan<char> body)
    {
        if (body.Length != 36)
        {
            return false;
        }

        Span<char> expected = stackalloc char[6];
        Encode(Compute(body[..30]), expected);
        return body[30..].SequenceEqual(expected);
    }

    /// <summary>The six-character checksum of the 30 random characters (the corpus generator plants valid tokens with it).</summary>
    public static string Of(ReadOnlySpan<char> random)
    {
        Span<char> text = stackalloc char[6];
        Encode(Compute(random), text);
        return new string(text);
    }

    private static uint Compute(ReadOnlySpan<char> random)
    {
        Span<byte> bytes = stackalloc byte[random.Length];
        for (var i = 0; i < random.Length; i++)
        {
            bytes[i] = (byte)random[i];
        }

        // CRC-32 (IEEE 802.3, reflected, as zlib's crc32): the BCL has none outside the System.IO.Hashing package.
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }

    private static void Encode(uint value, Span<char> into)
    {
        for (var i = into.Length - 1; i >= 0; i--)
        {
            into[i] = Base62[(int)(value % 62)];
            value /= 62;
        }
    }
}
