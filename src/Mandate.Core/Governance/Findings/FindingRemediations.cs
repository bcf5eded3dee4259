namespace Mandate.Core.Governance.Findings;

/// <summary>
/// The remediation most findings of a kind carry, named once: the rules use these texts, and a store keeps no copy of a
/// finding's remediation when it is its kind's standard one (it reads this text back instead), since a first recompute
/// of a large estate writes hundreds of thousands of findings and the same sentence in each row was a fifth of its
/// bytes. Changing a text here changes every finding that carries it: their digests change with it, so the next
/// recompute rewrites them, and what a store reads back is always the rules' current text.
/// </summary>
internal static class FindingRemediations
{
    public const string NoOwner = "Give it an owner: re-import with the owner (--owner, the owner annotation or the owner column), or retire it.";
    public const string Orphaned = "Transfer it to a current owner (re-import with the new owner), or retire it.";
    public const string ExpiredActiveCredential = "Deactivate the credential at its source.";
    public const string Stale = "Deactivate and delete the credential if nothing needs it; otherwise find out who uses it.";
    public const string RotationOverdue = "Rotate the credential: create a new one, move its users, deactivate the old one.";
    public const string LongLivedSecret = "Replace the static secret with a short-lived credential (a Mandate task credential, workload identity federation), or give it an expiry.";
    public const string SharedSecret = "Give each identity its own credential, then rotate the shared secret.";
    public const string BroadPolicy = "Narrow the permit: name the principal (== or in a group) and the resources (in a container, or a condition on resource attributes) it may change.";

    /// <summary>The standard remediation of <paramref name="kind"/>, or null for a kind without one.</summary>
    public static string? Standard(string kind) => kind switch
    {
        FindingKinds.NoOwner => NoOwner,
        FindingKinds.Orphaned => Orphaned,
        FindingKinds.ExpiredActive => ExpiredActiveCredential,
        FindingKinds.Stale => Stale,
        FindingKinds.RotationOverdue => RotationOverdue,
        FindingKinds.LongLivedSecret => LongLivedSecret,
        FindingKinds.SharedSecret => SharedSecret,
        FindingKinds.BroadPolicy => BroadPolicy,
        _ => null,
    };

    /// <summary>Whether <paramref name="remediation"/> is <paramref name="kind"/>'s standard text (which a store need not keep).</summary>
    public static bool IsStandard(string kind, string remediation) => Standard(kind) is { } standard && string.Equals(standard, remediation, StringComparison.Ordinal);
}
