namespace Mandate.Gateway.Mcp;

/// <summary>What an upstream may be called (its name is a path segment and the prefix of entity ids) and how it is reached.</summary>
internal static class UpstreamNames
{
    public const int MaxLength = 64;

    /// <summary>Why the name is not usable, or null.</summary>
    public static string? Problem(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return $"an upstream name must have 1 to {MaxLength} characters.";
        }

        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') || name is "." or "..")
        {
            return $"the upstream name '{name}' may only hold letters, digits, '.', '_' and '-'.";
        }

        return null;
    }

    public static Uri? HttpUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) ? url : null;

    /// <summary>
    /// <c>stdio:COMMAND ARGS…</c> split into words (single and double quotes group, a backslash escapes the next
    /// character), or an http(s) URL. Null with the reason when it is neither.
    /// </summary>
    public static (IReadOnlyList<string>? Command, Uri? Url, string? Error) ParseUpstream(string text)
    {
        if (text.StartsWith("stdio:", StringComparison.Ordinal))
        {
            var (words, error) = Split(text["stdio:".Length..]);
            if (error is not null)
            {
                return (null, null, error);
            }

            return words.Count == 0 ? (null, null, "stdio: needs a command after it.") : (words, null, null);
        }

        return HttpUrl(text) is { } url
            ? (null, url, null)
            : (null, null, $"'{text}' is neither stdio:COMMAND… nor an http(s) URL.");
    }

    private static (List<string> Words, string? Error) Split(string text)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is { } open)
            {
                if (c == open)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }

                continue;
            }

            if (c == '\\' && i + 1 < text.Length)
            {
                current.Append(text[++i]);
                inWord = true;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }

        if (quote is not null)
        {
            return (words, "stdio: the command has an unclosed quote.");
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return (words, null);
    }
}
