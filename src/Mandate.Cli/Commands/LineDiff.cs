using System.Text;
using Mandate.Core.Policies;

namespace Mandate.Cli.Commands;

/// <summary>A line diff of two texts as unified-diff hunks: the console's <see cref="PolicyTextDiff"/>, written as text.</summary>
internal static class LineDiff
{
    /// <summary>The hunks (without file headers); empty when the texts are equal, null when they are too large to compare line by line.</summary>
    public static string? Unified(string before, string after)
    {
        if (PolicyTextDiff.Hunks(before, after) is not { } hunks)
        {
            return null;
        }

        var text = new StringBuilder();
        foreach (var hunk in hunks)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"@@ -{hunk.OldStart},{hunk.Lines.Count(e => e.Kind != DiffLineKind.Added)} +{hunk.NewStart},{hunk.Lines.Count(e => e.Kind != DiffLineKind.Removed)} @@\n");
            foreach (var line in hunk.Lines)
            {
                text.Append(line.Kind switch { DiffLineKind.Added => '+', DiffLineKind.Removed => '-', _ => ' ' }).Append(line.Text).Append('\n');
            }
        }

        return text.ToString();
    }
}
