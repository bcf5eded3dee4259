using System.Buffers;

namespace Mandate.Core.Secrets;

/// <summary>
/// Values that look like secrets but are not: the examples vendors document (AWS's <c>AKIAIOSFODNN7EXAMPLE</c>, the
/// Azure storage emulator's account key, jwt.io's sample token), placeholders (<c>xxxx…</c>, <c>&lt;token&gt;</c>,
/// <c>changeme</c>, <c>${VAR}</c>, <c>{{ var }}</c>), and values with too little variety to be random. Public keys and
/// certificates are never matched in the first place (only <c>PRIVATE KEY</c> blocks are).
/// </summary>
internal static class SecretDecoys
{
    // Published in vendor documentation (and so in countless READMEs and tests): never a live credential.
    private static readonly HashSet<string> Documented = new(StringComparer.Ordinal)
    {
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    };

    // Words a placeholder is made of, five characters or more: a random value contains one by chance about once in a
    // million (four-letter words like "todo" would suppress about one real secret in a thousand).
    private static readonly string[] PlaceholderWords =
    [
        "example", "xxxxx", "changeme", "change_me", "change-me", "placeholder", "redacted", "your_", "your-", "yourtoken",
        "yoursecret", "yourpassword", "dummy", "sample", "insert", "replace", "******", "....",
        "notreal", "not_real", "not-real", "not-a-", "not_a_", "-test-", "_test_", "_test-", "-test_", "0000000000", "1234567890", "abcdefghij",
    ];

    // One vectorised search for all the words: Contains(word, OrdinalIgnoreCase) per word is a character-by-character
    // loop under invariant globalization, and it ran for every candidate value.
    private static readonly SearchValues<string> PlaceholderWordSearch = SearchValues.Create(PlaceholderWords, StringComparison.OrdinalIgnoreCase);

    private static readonly HashSet<string> PlaceholderValues = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "passwd", "secret", "token", "changeit", "admin", "root", "test", "none", "null", "nil", "undefined",
        "empty", "pass", "pwd", "user", "username", "default", "foo", "bar", "foobar", "example", "value",
    };

    /// <summary>Whether <paramref name="value"/> is a documented example, a placeholder or too uniform to be a secret.</summary>
    public static bool IsDecoy(ReadOnlySpan<char> value)
    {
        if (value.Length == 0)
        {
            return true;
        }

        var lookup = Documented.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.Contains(value) || PlaceholderValues.GetAlternateLookup<ReadOnlySpan<char>>().Contains(value))
        {
            return true;
        }

        // Template and variable syntax: the real value is supplied elsewhere.
        if (value[0] is '<' or '$' or '%' or '{' or '[' || value.Contains("${", StringComparison.Ordinal) || value.Contains("{{", StringComparison.Ordinal)
            || value.Contains("%(", StringComparison.Ordinal) || value.Contains("%s", StringComparison.Ordinal) || (value[^1] is '>' && value.Contains('<')))
        {
            return true;
        }

        return value.IndexOfAny(PlaceholderWordSearch) >= 0 || TooUniform(value);
    }

    /// <summary>Fewer distinct characters than a random value of that length would all but surely have.</summary>
    public static bool TooUniform(ReadOnlySpan<char> value)
    {
        Span<bool> seen = stackalloc bool[128];
        var distinct = 0;
        foreach (var c in value)
        {
            if (c < 128 && !seen[c])
            {
                seen[c] = true;
                distinct++;
            }
        }

        var needed = value.Length >= 32 ? 10 : value.Length >= 16 ? 7 : 5;
        return distinct < needed;
    }

    /// <summary>Shannon entropy of the value's characters, in bits per character.</summary>
    public static double Entropy(ReadOnlySpan<char> value)
    {
        Span<int> counts = stackalloc int[128];
        var other = 0;
        foreach (var c in value)
        {
            if (c < 128)
            {
                counts[c]++;
            }
            else
            {
                other++;
            }
        }

        double bits = 0;
        double n = value.Length;
        foreach (var count in counts)
        {
            if (count > 0)
            {
                var p = count / n;
                bits -= p * Math.Log2(p);
            }
        }

        if (other > 0)
        {
            var p = other / n;
            bits -= p * Math.Log2(p);
        }

        return bits;
    }
}
