using System.Globalization;
using System.Text;

namespace Mandate.Cedar.Schemas;

internal enum SchemaTokenKind
{
    Identifier,
    String,
    Number,
    Punctuation,
    End,
}

internal readonly record struct SchemaToken(SchemaTokenKind Kind, string Text, int Line, int Column)
{
    public SchemaLocation Location => new(Line, Column, null);

    public bool Is(string punctuation) => Kind == SchemaTokenKind.Punctuation && string.Equals(Text, punctuation, StringComparison.Ordinal);

    public bool IsWord(string word) => Kind == SchemaTokenKind.Identifier && string.Equals(Text, word, StringComparison.Ordinal);

    public string Describe() => Kind switch
    {
        SchemaTokenKind.End => "end of input",
        SchemaTokenKind.String => "a string literal",
        _ => $"`{Text}`",
    };
}

/// <summary>Splits <c>.cedarschema</c> text into tokens; string literals come out unescaped.</summary>
internal static class CedarSchemaLexer
{
    public static List<SchemaToken> Tokenize(string text)
    {
        var tokens = new List<SchemaToken>();
        int i = 0, line = 1, lineStart = 0;
        while (true)
        {
            // Skip whitespace and // comments.
            while (i < text.Length)
            {
                char c = text[i];
                if (c == '\n')
                {
                    i++;
                    line++;
                    lineStart = i;
                }
                else if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
                {
                    while (i < text.Length && text[i] != '\n')
                    {
                        i++;
                    }
                }
                else
                {
                    break;
                }
            }

            int column = i - lineStart + 1;
            if (i >= text.Length)
            {
                tokens.Add(new SchemaToken(SchemaTokenKind.End, "", line, column));
                return tokens;
            }

            char ch = text[i];
            if (ch == '_' || char.IsAsciiLetter(ch))
            {
                int start = i;
                while (i < text.Length && (text[i] == '_' || char.IsAsciiLetterOrDigit(text[i])))
                {
                    i++;
                }

                tokens.Add(new SchemaToken(SchemaTokenKind.Identifier, text[start..i], line, column));
            }
            else if (char.IsAsciiDigit(ch))
            {
                int start = i;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                tokens.Add(new SchemaToken(SchemaTokenKind.Number, text[start..i], line, column));
            }
            else if (ch == '"')
            {
                int startLine = line;
                i++;
                var raw = new StringBuilder();
                bool closed = false;
                while (i < text.Length)
                {
                    char c = text[i];
                    if (c == '\\' && i + 1 < text.Length)
                    {
                        raw.Append(c).Append(text[i + 1]);
                        if (text[i + 1] == '\n')
                        {
                            line++;
                            lineStart = i + 2;
                        }

                        i += 2;
                        continue;
                    }

                    if (c == '"')
                    {
                        closed = true;
                        i++;
                        break;
                    }

                    if (c == '\n')
                    {
                        line++;
                        lineStart = i + 1;
                    }

                    raw.Append(c);
                    i++;
                }

                if (!closed)
                {
                    throw new SchemaSyntaxException("unterminated string literal", new SchemaLocation(startLine, column, null));
                }

                tokens.Add(new SchemaToken(SchemaTokenKind.String, Unescape(raw.ToString(), new SchemaLocation(startLine, column, null)), startLine, column));
            }
            else if (ch == ':' && i + 1 < text.Length && text[i + 1] == ':')
            {
                tokens.Add(new SchemaToken(SchemaTokenKind.Punctuation, "::", line, column));
                i += 2;
            }
            else if (",;:{}[]<>=?@()".Contains(ch, StringComparison.Ordinal))
            {
                tokens.Add(new SchemaToken(SchemaTokenKind.Punctuation, ch.ToString(), line, column));
                i++;
            }
            else
            {
                string shown = char.IsControl(ch) ? $"U+{(int)ch:X4}" : ch.ToString();
                throw new SchemaSyntaxException($"unexpected character `{shown}`", new SchemaLocation(line, column, null));
            }
        }
    }

    /// <summary>Cedar string escapes: \n \r \t \\ \0 \' \" and \u{hex}.</summary>
    public static string Unescape(string raw, SchemaLocation location)
    {
        if (!raw.Contains('\\', StringComparison.Ordinal))
        {
            return raw;
        }

        var sb = new StringBuilder(raw.Length);
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            if (i + 1 >= raw.Length)
            {
                throw new SchemaSyntaxException("string ends with a lone backslash", location);
            }

            char e = raw[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case '0': sb.Append('\0'); break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'u':
                    {
                        if (i + 1 >= raw.Length || raw[i + 1] != '{')
                        {
                            throw new SchemaSyntaxException("invalid unicode escape: expected `\\u{HEX}`", location);
                        }

                        int close = raw.IndexOf('}', i + 2);
                        string hex = close < 0 ? "" : raw[(i + 2)..close];
                        if (hex.Length is < 1 or > 6 || !int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code)
                            || code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
                        {
                            throw new SchemaSyntaxException("invalid unicode escape: expected 1 to 6 hex digits naming a Unicode scalar value", location);
                        }

                        sb.Append(char.ConvertFromUtf32(code));
                        i = close;
                        break;
                    }

                default:
                    throw new SchemaSyntaxException($"invalid escape `\\{e}` in string literal", location);
            }
        }

        return sb.ToString();
    }
}
