using System.Text;

namespace Mandate.Core.Governance.Inventory;

/// <summary>
/// RFC 4180 records with the line each starts on: comma separated, double quotes around fields that hold commas,
/// quotes or line breaks, CRLF or LF line ends. A record with an unterminated quote is reported, not guessed at.
/// </summary>
internal static class CsvRecords
{
    public sealed record CsvRecord(long Line, IReadOnlyList<string> Fields, string? Error);

    public static IEnumerable<CsvRecord> Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var position = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        long line = 1;
        var field = new StringBuilder();
        while (position < text.Length)
        {
            var startLine = line;
            var fields = new List<string>();
            string? error = null;
            field.Clear();
            var ended = false;
            while (!ended)
            {
                if (position < text.Length && text[position] == '"')
                {
                    position++;
                    var closed = false;
                    while (position < text.Length)
                    {
                        var c = text[position++];
                        if (c == '"')
                        {
                            if (position < text.Length && text[position] == '"')
                            {
                                field.Append('"');
                                position++;
                                continue;
                            }

                            closed = true;
                            break;
                        }

                        if (c == '\n')
                        {
                            line++;
                        }

                        field.Append(c);
                    }

                    if (!closed)
                    {
                        error = "a quoted field is not closed";
                        fields.Add(field.ToString());
                        yield return new CsvRecord(startLine, fields, error);
                        yield break;
                    }

                    if (position < text.Length && text[position] is not (',' or '\r' or '\n'))
                    {
                        error ??= "text after a closing quote";
                        while (position < text.Length && text[position] is not (',' or '\r' or '\n'))
                        {
                            position++;
                        }
                    }
                }
                else
                {
                    while (position < text.Length && text[position] is not (',' or '\r' or '\n'))
                    {
                        var c = text[position++];
                        if (c == '"')
                        {
                            error ??= "a quote inside an unquoted field";
                        }

                        field.Append(c);
                    }
                }

                fields.Add(field.ToString());
                field.Clear();
                if (position >= text.Length)
                {
                    ended = true;
                }
                else if (text[position] == ',')
                {
                    position++;
                }
                else
                {
                    if (text[position] == '\r')
                    {
                        position++;
                    }

                    if (position < text.Length && text[position] == '\n')
                    {
                        position++;
                    }

                    line++;
                    ended = true;
                }
            }

            // A blank line is no record.
            if (fields.Count == 1 && fields[0].Length == 0 && error is null)
            {
                continue;
            }

            yield return new CsvRecord(startLine, fields, error);
        }
    }
}
