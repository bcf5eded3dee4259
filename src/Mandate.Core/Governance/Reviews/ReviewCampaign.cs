namespace Mandate.Core.Governance.Reviews;

/// <summary>
/// An access review: a set of items (identity × entitlement, identity, open finding) that a reviewer certifies or
/// revokes before <see cref="Due"/>. <see cref="Owner"/> is null for a review of every owner.
/// </summary>
internal sealed record ReviewCampaign
{
    /// <summary><c>rvw_</c> and 20 hex digits.</summary>
    public required string Id { get; init; }

    public string? Owner { get; init; }

    /// <summary>The operator name who decides the items; null: any operator holding <c>reviewer</c> except the starter.</summary>
    public string? Reviewer { get; init; }

    /// <summary>The ledger actor who started it (<c>operator:alice</c>, <c>admin</c>).</summary>
    public required string StartedBy { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset Due { get; init; }

    /// <summary><c>review</c> (started by an operator) or <c>offboarding:&lt;id&gt;</c> (a transfer to a new owner).</summary>
    public required string Origin { get; init; }

    /// <summary><c>open</c> until every item is decided, then <c>completed</c>.</summary>
    public string Status { get; init; } = ReviewStatuses.Open;

    public DateTimeOffset? CompletedAt { get; init; }

    public int Items { get; init; }

    public int Decided { get; init; }

    /// <summary>Open past its due time.</summary>
    public bool IsOverdue(DateTimeOffset now) => Status == ReviewStatuses.Open && now > Due;
}
