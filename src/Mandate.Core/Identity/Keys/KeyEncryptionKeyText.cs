namespace Mandate.Core.Identity.Keys;

/// <summary>
/// A key-encryption key as configured or stored in a file: base64 of exactly 32 bytes (AES-256). Messages about a bad
/// key describe it and never repeat it.
/// </summary>
internal static class KeyEncryptionKeyText
{
    public const int KeyLength = 32;

    /// <summary>Null when <paramref name="text"/> is base64 of 32 bytes; else what is wrong, as the end of a sentence.</summary>
    public static string? Problem(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text.Trim(), buffer, out var length))
        {
            return "is not base64 (expected base64 of 32 random bytes, e.g. from 'openssl rand -base64 32').";
        }

        Array.Clear(buffer);
        return length == KeyLength ? null : $"holds {length} bytes; a key-encryption key is 32 bytes (base64 of 32 random bytes).";
    }

    /// <summary>The key's bytes; <see cref="Problem"/> must have returned null.</summary>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Convert.FromBase64String(text.Trim());
        return bytes.Length == KeyLength ? bytes : throw new FormatException("A key-encryption key is 32 bytes.");
    }
}
