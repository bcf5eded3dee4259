namespace Mandate.Core.Policies;

/// <summary>
/// A line diff of two texts as hunks (longest common subsequence, three lines of context), structured so a page can
/// render each line itself rather than parse unified-diff text.
/// </summary>
internal static class PolicyTextDiff
{
    private const int Context = 3;

    // An LCS table of this many cells is about 64 MB of ints; larger texts are reported as changed without hunks.
    private const long MaxCells = 16_000_000;

    /// <summary>The hunks; empty when the texts are equal, null when they are too large to compare line by line.</summary>
    public static IReadOnlyList<DiffHunk>? Hunks(string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var a = Lines(before);
        var b = Lines(after);
        if ((long)a.Length * b.Length > MaxCells)
        {
            return null;
        }

        var script = Script(a, b);
        var hunks = new List<DiffHunk>();
        var i = 0;
        while (i < script.Count)
        {
            if (script[i].Kind == DiffLineKind.Same)
            {
                i++;
                continue;
            }

            // A hunk runs from Context lines before this change to Context lines after the last change that is at
            // most 2 * Context unchanged lines away.
            var start = Math.Max(0, i - Context);
            var end = i;
            while (end < script.Count)
            {
                var next = end;
                while (next < script.Count && script[next].Kind == DiffLineKind.Same)
                {
                    next++;
                }

                if (next >= script.Count || next - end > 2 * Context)
                {
                    break;
                }

                end = next;
                while (end < script.Count && script[end].Kind != DiffLineKind.Same)
                {
                    end++;
                }
            }

            var stop = Math.Min(script.Count, end + Context);
            var lines = script.GetRange(start, stop - start);
            // A side with no line in the hunk (all added, or all removed) starts at 0, as unified diffs write it.
            hunks.Add(new DiffHunk(
                lines.FirstOrDefault(e => e.Kind != DiffLineKind.Added)?.OldLine ?? 0,
                lines.FirstOrDefault(e => e.Kind != DiffLineKind.Removed)?.NewLine ?? 0,
                lines));
            i = stop;
        }

        return hunks;
    }

    private static string[] Lines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
    }

    private static List<DiffLine> Script(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = string.Equals(a[i], b[j], StringComparison.Ordinal) ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var script = new List<DiffLine>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && string.Equals(a[x], b[y], StringComparison.Ordinal))
            {
                script.Add(new DiffLine(DiffLineKind.Same, a[x], x + 1, y + 1));
                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                script.Add(new DiffLine(DiffLineKind.Added, b[y], x + 1, y + 1));
                y++;
            }
            else
            {
                script.Add(new DiffLine(DiffLineKind.Removed, a[x], x + 1, y + 1));
                x++;
            }
        }

        return script;
    }
}
