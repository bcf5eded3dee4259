using System.Text;

namespace Mandate.Cli.Commands;

/// <summary>A line diff of two texts as unified-diff hunks (longest common subsequence, three lines of context).</summary>
internal static class LineDiff
{
    private const int Context = 3;

    // An LCS table of this many cells is about 64 MB of ints; larger files are reported as changed without hunks.
    private const long MaxCells = 16_000_000;

    /// <summary>The hunks (without file headers); empty when the texts are equal, null when they are too large to compare line by line.</summary>
    public static string? Unified(string before, string after)
    {
        var a = Lines(before);
        var b = Lines(after);
        if ((long)a.Length * b.Length > MaxCells)
        {
            return null;
        }

        var script = Script(a, b);
        var text = new StringBuilder();
        var i = 0;
        while (i < script.Count)
        {
            if (script[i].Kind == ' ')
            {
                i++;
                continue;
            }

            // A hunk: from Context lines before this change to Context lines after the last change that is at most
            // 2 * Context unchanged lines away.
            var start = Math.Max(0, i - Context);
            var end = i;
            while (end < script.Count)
            {
                var next = end;
                while (next < script.Count && script[next].Kind == ' ')
                {
                    next++;
                }

                if (next >= script.Count || next - end > 2 * Context)
                {
                    break;
                }

                end = next;
                while (end < script.Count && script[end].Kind != ' ')
                {
                    end++;
                }
            }

            var stop = Math.Min(script.Count, end + Context);
            var hunk = script.GetRange(start, stop - start);
            var oldStart = hunk.FirstOrDefault(e => e.Kind != '+').OldLine;
            var newStart = hunk.FirstOrDefault(e => e.Kind != '-').NewLine;
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"@@ -{oldStart},{hunk.Count(e => e.Kind != '+')} +{newStart},{hunk.Count(e => e.Kind != '-')} @@\n");
            foreach (var entry in hunk)
            {
                text.Append(entry.Kind).Append(entry.Text).Append('\n');
            }

            i = stop;
        }

        return text.ToString();
    }

    private static string[] Lines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
    }

    private static List<(char Kind, string Text, int OldLine, int NewLine)> Script(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = string.Equals(a[i], b[j], StringComparison.Ordinal) ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var script = new List<(char, string, int, int)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && string.Equals(a[x], b[y], StringComparison.Ordinal))
            {
                script.Add((' ', a[x], x + 1, y + 1));
                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                script.Add(('+', b[y], x + 1, y + 1));
                y++;
            }
            else
            {
                script.Add(('-', a[x], x + 1, y + 1));
                x++;
            }
        }

        return script;
    }
}
