using System.Security.Cryptography;
using System.Text;

namespace Mandate.Core.Secrets;

/// <summary>
/// A secret's fingerprint: <c>hmac-sha256:</c> and the hex HMAC-SHA256 of its bytes under a key. Keyed, because a plain
/// SHA-256 of a low-entropy secret (a database password) confirms a guess to anyone holding the fingerprint: hash
/// "hunter2", compare. Without the key a fingerprint says nothing about the value; with the same key two scans (or a
/// scan and the inventory) agree on which secrets are the same.
/// </summary>
internal sealed class SecretFingerprinter
{
    public const string Prefix = "hmac-sha256:";

    /// <summary>Key length in bytes (the HMAC-SHA256 block is 64; 32 random bytes are its full strength).</summary>
    public const int KeyLength = 32;

    private readonly byte[] key;

    public SecretFingerprinter(ReadOnlySpan<byte> key)
    {
        if (key.Length < 16)
        {
            throw new ArgumentException("A fingerprint key has at least 16 bytes.", nameof(key));
        }

        this.key = key.ToArray();
    }

    /// <summary>The fingerprint of <paramref name="value"/>, whose characters are the file's bytes (Latin-1 read).</summary>
    public string Of(ReadOnlySpan<char> value)
    {
        var length = Encoding.Latin1.GetByteCount(value);
        var bytes = length <= 1024 ? stackalloc byte[length] : new byte[length];
        Encoding.Latin1.GetBytes(value, bytes);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, bytes, mac);
        bytes.Clear();
        return Prefix + Convert.ToHexStringLower(mac);
    }

    /// <summary>Whether <paramref name="text"/> is a fingerprint's form (what the server accepts).</summary>
    public static bool IsFingerprint(string? text) =>
        text is { Length: 76 } && text.StartsWith(Prefix, StringComparison.Ordinal) && text.AsSpan(Prefix.Length).ContainsAnyExcept("0123456789abcdef") is false;
}
