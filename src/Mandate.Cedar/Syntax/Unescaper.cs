using System.Globalization;
using System.Text;

namespace Mandate.Cedar.Syntax;

/// <summary>
/// Cedar string escapes (Rust string rules): <c>\n \r \t \\ \0 \' \"</c>, <c>\xHH</c> up to 0x7F and <c>\u{1–6 hex}</c>;
/// in <c>like</c> patterns also <c>\*</c>. A bare carriage return inside a literal is rejected, as in the reference.
/// </summary>
internal static class Unescaper
{
    /// <summary>Unescapes a string body; for patterns, <paramref name="wildcards"/> receives the positions of unescaped <c>*</c>.</summary>
    public static bool TryUnescape(string raw, bool pattern, out string value, out List<int>? wildcards, out string error)
    {
        wildcards = pattern ? [] : null;
        if (raw.AsSpan().IndexOfAny('\\', '\r', pattern ? '*' : '\\') < 0)
        {
            // Nothing to unescape (the common case): the body is the value, without a copy.
            value = raw;
            error = "";
            return true;
        }

        var builder = new StringBuilder(raw.Length);
        value = "";
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '\r')
            {
                error = "a bare carriage return is not allowed in a string literal; write \\r";
                return false;
            }

            if (c == '*' && pattern)
            {
                wildcards!.Add(builder.Length);
                builder.Append('*');
                continue;
            }

            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            if (i + 1 >= raw.Length)
            {
                error = "the string ends with a lone backslash";
                return false;
            }

            var e = raw[++i];
            switch (e)
            {
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case '\\': builder.Append('\\'); break;
                case '0': builder.Append('\0'); break;
                case '\'': builder.Append('\''); break;
                case '"': builder.Append('"'); break;
                case '*' when pattern: builder.Append('*'); break;
                case 'x':
                    if (i + 2 >= raw.Length || !char.IsAsciiHexDigit(raw[i + 1]) || !char.IsAsciiHexDigit(raw[i + 2]))
                    {
                        error = $"the input `{Snippet(raw, i - 1, 4)}` is not a valid escape: \\x needs two hex digits";
                        return false;
                    }

                    var hex = int.Parse(raw.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                    if (hex > 0x7F)
                    {
                        error = $"the input `{Snippet(raw, i - 1, 4)}` is not a valid escape: \\x escapes go up to \\x7F; use \\u{{...}}";
                        return false;
                    }

                    // As in the reference, an escaped star (\x2a, \u{2a}) in a pattern is still a wildcard; only \* is literal.
                    if (hex == '*' && pattern)
                    {
                        wildcards!.Add(builder.Length);
                    }

                    builder.Append((char)hex);
                    i += 2;
                    break;
                case 'u':
                    var before = builder.Length;
                    if (!TryUnicode(raw, ref i, builder, out error))
                    {
                        return false;
                    }

                    if (pattern && builder.Length == before + 1 && builder[before] == '*')
                    {
                        wildcards!.Add(before);
                    }

                    break;
                default:
                    error = $"the input `\\{e}` is not a valid escape (valid: \\n \\r \\t \\\\ \\0 \\' \\\" \\xHH \\u{{...}}{(pattern ? " \\*" : "")})";
                    return false;
            }
        }

        value = builder.ToString();
        error = "";
        return true;
    }

    private static bool TryUnicode(string raw, ref int i, StringBuilder builder, out string error)
    {
        // raw[i] == 'u'
        var start = i - 1;
        if (i + 1 >= raw.Length || raw[i + 1] != '{')
        {
            error = $"the input `{Snippet(raw, start, 3)}` is not a valid escape: write \\u{{HEX}}";
            return false;
        }

        var j = i + 2;
        var digits = 0;
        var codePoint = 0;
        var first = true;
        while (j < raw.Length && raw[j] != '}')
        {
            var c = raw[j];
            if (c == '_' && !first)
            {
                j++;
                continue;
            }

            if (!char.IsAsciiHexDigit(c) || digits >= 6)
            {
                error = $"the input `{Snippet(raw, start, j - start + 1)}` is not a valid escape: \\u{{...}} takes 1 to 6 hex digits";
                return false;
            }

            codePoint = (codePoint * 16) + Convert.ToInt32(c.ToString(), 16);
            digits++;
            first = false;
            j++;
        }

        if (j >= raw.Length || digits == 0)
        {
            error = $"the input `{Snippet(raw, start, j - start)}` is not a valid escape: \\u{{...}} needs hex digits and a closing brace";
            return false;
        }

        if (codePoint > 0x10FFFF || codePoint is >= 0xD800 and <= 0xDFFF)
        {
            error = $"the input `{Snippet(raw, start, j - start + 1)}` is not a valid escape: not a Unicode scalar value";
            return false;
        }

        builder.Append(char.ConvertFromUtf32(codePoint));
        i = j;
        error = "";
        return true;
    }

    private static string Snippet(string raw, int start, int length) => raw.Substring(start, Math.Min(length, raw.Length - start));
}
