namespace Mandate.Core.Audit;

/// <summary>What an identity could do and did, rebuilt from the ledger alone (see docs/audit.md for the events used).</summary>
internal sealed record AuditTimeline(
    string Identity,
    IReadOnlyList<TimelineCredential> Credentials,
    IReadOnlyList<TimelineDelegation> Delegations,
    IReadOnlyList<TimelineDecision> Decisions,
    IReadOnlyList<TimelineEntry> Events,
    bool Truncated);

/// <summary>A credential the identity held: when issued, what for, what it was used for, when it was revoked.</summary>
internal sealed record TimelineCredential(
    string Jti,
    string IssuedBy,
    string Kind,
    long IssuedSequence,
    DateTimeOffset IssuedAt,
    string? TaskId,
    string? ExpiresAt,
    string? Scope,
    string? ParentJti,
    IReadOnlyList<string>? Chain,
    IReadOnlyList<TimelineEntry> Uses,
    DateTimeOffset? RevokedAt,
    string? RevokedBy,
    string? RevocationReason);

/// <summary>A delegation step: <see cref="From"/> acted for <see cref="To"/> through <see cref="Chain"/>.</summary>
internal sealed record TimelineDelegation(long Sequence, DateTimeOffset Time, string? From, string? To, IReadOnlyList<string>? Chain, string? Jti, string? ParentJti, string? TaskId);

internal sealed record TimelineDecision(long Sequence, DateTimeOffset Time, string? Decision, string? Action, string? Resource, string? PolicyVersion, string? Jti, IReadOnlyList<string>? Chain, string? Reason);

internal sealed record TimelineEntry(long Sequence, DateTimeOffset Time, string Type, string? Actor, string? Subject, string? Action, string? Resource, string? Decision, string? Jti, string? TaskId, string? Reason);
