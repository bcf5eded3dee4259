namespace Mandate.Core.Policies;

/// <summary>Whether a diff line is in both texts, only the new one or only the old one.</summary>
internal enum DiffLineKind
{
    Same,
    Added,
    Removed,
}

/// <summary>One line of a diff with its line numbers in the old and the new text.</summary>
internal sealed record DiffLine(DiffLineKind Kind, string Text, int OldLine, int NewLine);

/// <summary>A run of changed lines with their context, starting at the given lines of the old and new text.</summary>
internal sealed record DiffHunk(int OldStart, int NewStart, IReadOnlyList<DiffLine> Lines);
