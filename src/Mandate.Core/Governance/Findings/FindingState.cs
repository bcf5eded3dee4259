namespace Mandate.Core.Governance.Findings;

/// <summary>
/// What a recompute needs of a stored finding: its state and acceptance (kept when its content is rewritten), its
/// content's digest (to tell whether it changed) and what its ledger events name (kind, severity, source, identity).
/// </summary>
internal sealed record FindingState(
    string Id,
    string Status,
    DateTimeOffset FirstSeen,
    DateTimeOffset? AcceptedUntil,
    long? Digest,
    string Kind,
    string Severity,
    string Source,
    string Identity,
    string? AcceptedReason = null,
    string? AcceptedBy = null);
