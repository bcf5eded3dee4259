namespace Mandate.Core.Governance.Findings;

/// <summary>A governance finding about one identity, with what proves it and what to do.</summary>
internal sealed record Finding
{
    /// <summary>Stable for the same kind, identity and credential: <c>fnd_</c> and 20 hex digits.</summary>
    public required string Id { get; init; }

    public required string Kind { get; init; }

    /// <summary><c>low</c>, <c>medium</c>, <c>high</c>.</summary>
    public required string Severity { get; init; }

    /// <summary>The identity's source (<c>aws</c>, <c>k8s</c>, …).</summary>
    public required string Source { get; init; }

    /// <summary>The identity's id: an ARN, <c>namespace/name</c>, a SPIFFE ID.</summary>
    public required string Identity { get; init; }

    public string? Owner { get; init; }

    public required string Summary { get; init; }

    public required IReadOnlyList<FindingEvidence> Evidence { get; init; }

    public required string Remediation { get; init; }

    public DateTimeOffset FirstSeen { get; init; }

    public DateTimeOffset LastSeen { get; init; }

    /// <summary><c>open</c>, <c>accepted</c> (until <see cref="AcceptedUntil"/>, then open again) or <c>resolved</c>.</summary>
    public string Status { get; init; } = "open";

    public DateTimeOffset? ResolvedAt { get; init; }

    public string? AcceptedReason { get; init; }

    /// <summary>The operator who accepted it (<c>operator:alice</c>, <c>admin</c>).</summary>
    public string? AcceptedBy { get; init; }

    public DateTimeOffset? AcceptedUntil { get; init; }
}
