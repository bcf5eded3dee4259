using System.Globalization;
using System.Text;

namespace Mandate.Core.Governance.Findings;

/// <summary>
/// Reads the entity names the ledger stores: a decision's subject and resource are Cedar entity uids
/// (<c>Workload::"spiffe://…"</c>, <c>Ticket::"T-1"</c>), a credential use's subject is a plain id.
/// </summary>
internal static class LedgerEntityNames
{
    /// <summary>The type (empty for a plain id) and the id of <paramref name="text"/>.</summary>
    public static (string Type, string Id) Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var quote = text.IndexOf("::\"", StringComparison.Ordinal);
        if (quote < 0 || text.Length < quote + 4 || text[^1] != '"')
        {
            return ("", text);
        }

        return (text[..quote], Unescape(text.AsSpan(quote + 3, text.Length - quote - 4)));
    }

    private static string Unescape(ReadOnlySpan<char> body)
    {
        if (!body.Contains('\\'))
        {
            return body.ToString();
        }

        var text = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '\\' || i + 1 >= body.Length)
            {
                text.Append(body[i]);
                continue;
            }

            var next = body[++i];
            switch (next)
            {
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case '0': text.Append('\0'); break;
                case 'u' when i + 1 < body.Length && body[i + 1] == '{':
                    var close = body[(i + 2)..].IndexOf('}');
                    if (close > 0 && int.TryParse(body.Slice(i + 2, close), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code) && code is >= 0 and <= 0x10FFFF)
                    {
                        text.Append(char.ConvertFromUtf32(code));
                        i += close + 2;
                    }
                    else
                    {
                        text.Append('u');
                    }

                    break;
                default: text.Append(next); break;
            }
        }

        return text.ToString();
    }
}
