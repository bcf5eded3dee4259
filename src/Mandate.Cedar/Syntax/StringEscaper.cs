using System.Globalization;
using System.Text;

namespace Mandate.Cedar.Syntax;

/// <summary>Writes strings as Cedar string literals (the inverse of the lexer's unescaping).</summary>
internal static class StringEscaper
{
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        AppendQuoted(builder, value);
        return builder.ToString();
    }

    /// <summary>Whether <see cref="AppendEscaped"/> would write anything but the characters themselves (printable ASCII never needs it).</summary>
    public static bool NeedsEscape(string value, bool escapeStar = false)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~' or '"' or '\\' || (c == '*' && escapeStar))
            {
                return true;
            }
        }

        return false;
    }

    public static void AppendQuoted(StringBuilder builder, string value, bool escapeStar = false)
    {
        builder.Append('"');
        AppendEscaped(builder, value, escapeStar);
        builder.Append('"');
    }

    public static void AppendEscaped(StringBuilder builder, string value, bool escapeStar = false)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\0': builder.Append("\\0"); break;
                case '*' when escapeStar: builder.Append("\\*"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        var codePoint = char.ConvertToUtf32(c, value[i + 1]);
                        if (IsPrintable(codePoint))
                        {
                            builder.Append(c).Append(value[i + 1]);
                        }
                        else
                        {
                            builder.Append("\\u{").Append(codePoint.ToString("x", CultureInfo.InvariantCulture)).Append('}');
                        }

                        i++;
                    }
                    else if (char.IsSurrogate(c) || !IsPrintable(c))
                    {
                        builder.Append("\\u{").Append(((int)c).ToString("x", CultureInfo.InvariantCulture)).Append('}');
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }
    }

    private static bool IsPrintable(int codePoint)
    {
        if (codePoint < 0x20 || codePoint == 0x7f)
        {
            return false;
        }

        var category = CharUnicodeInfo.GetUnicodeCategory(codePoint);
        return category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse
            or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator);
    }
}
