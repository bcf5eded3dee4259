namespace Mandate.Core.Detection;

/// <summary>
/// One rule hit: which rule, about whom, the ledger sequences that triggered it, and what was done about it.
/// <see cref="Sequence"/> orders alerts (and is the server-sent event id).
/// </summary>
internal sealed record DetectionAlert
{
    public required long Sequence { get; init; }

    public required string Id { get; init; }

    public required string Rule { get; init; }

    public required string Severity { get; init; }

    /// <summary>The identity's id (a SPIFFE ID for workloads).</summary>
    public required string Identity { get; init; }

    /// <summary>When the triggering event was recorded.</summary>
    public required DateTimeOffset Time { get; init; }

    public required string Summary { get; init; }

    /// <summary>Audit ledger sequence numbers of the events that triggered the rule.</summary>
    public required IReadOnlyList<long> Evidence { get; init; }

    public string? TaskId { get; init; }

    public required AlertResponse Response { get; init; }
}

/// <summary>
/// What the alert's rule does: the configured <see cref="Actions"/>, the identity's risk after the hit (when it raised
/// it), whether the lifecycle actions have run (<c>pending</c> or <c>done</c>) and what each did.
/// </summary>
internal sealed record AlertResponse(IReadOnlyList<string> Actions, long? RiskScore, string? RiskLevel, string State, IReadOnlyList<string> Outcomes)
{
    public const string Pending = "pending";
    public const string Done = "done";
}
