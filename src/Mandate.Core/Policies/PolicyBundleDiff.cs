namespace Mandate.Core.Policies;

/// <summary>
/// The difference between two bundles: the policies added, removed or changed (by id, in id order), how many are the
/// same, and the entities' and schema's change (null when unchanged).
/// </summary>
internal sealed record PolicyBundleDiff(IReadOnlyList<PolicyChange> Policies, int Unchanged, PolicyChange? Entities, PolicyChange? Schema);

/// <summary>One policy (or the entities, or the schema) that differs, with its line diff (null when too large to compare).</summary>
internal sealed record PolicyChange(string Id, PolicyChangeKind Kind, IReadOnlyList<DiffHunk>? Hunks);

/// <summary>How a policy differs between two versions.</summary>
internal enum PolicyChangeKind
{
    Added,
    Removed,
    Changed,
}
