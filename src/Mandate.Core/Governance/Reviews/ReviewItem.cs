namespace Mandate.Core.Governance.Reviews;

/// <summary>One decision to take in a campaign, and, once taken, who took it, when, why and how it was enforced.</summary>
internal sealed record ReviewItem
{
    public required string CampaignId { get; init; }

    /// <summary>1-based, stable within the campaign.</summary>
    public required int Number { get; init; }

    /// <summary><see cref="ReviewStatuses.IdentityItem"/>, <see cref="ReviewStatuses.EntitlementItem"/> or <see cref="ReviewStatuses.FindingItem"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The identity's id: a SPIFFE ID, an ARN, <c>namespace/name</c>.</summary>
    public required string Identity { get; init; }

    /// <summary><c>mandate</c> for a registered (SPIFFE) identity, else the inventory source (<c>aws</c>, <c>k8s</c>, …).</summary>
    public required string Source { get; init; }

    public string? Owner { get; init; }

    public string? Action { get; init; }

    public string? ResourceType { get; init; }

    public IReadOnlyList<string> Policies { get; init; } = [];

    public string? Finding { get; init; }

    public required string Summary { get; init; }

    /// <summary>Null until decided: <see cref="ReviewStatuses.Certified"/> or <see cref="ReviewStatuses.Revoked"/>.</summary>
    public string? Decision { get; init; }

    public string? DecidedBy { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    public string? Reason { get; init; }

    /// <summary>How a revocation was enforced: <c>policy_version</c>, <c>identity_suspended</c>, or <c>none</c> (with why in <see cref="EnforcementDetail"/>).</summary>
    public string? Enforcement { get; init; }

    public string? EnforcementDetail { get; init; }

    /// <summary>The policy version a revoked entitlement's forbid was activated in.</summary>
    public string? PolicyVersion { get; init; }

    /// <summary>The ledger sequence of the decision's <c>review.item_decided</c> event.</summary>
    public long? LedgerSequence { get; init; }

    /// <summary>The operator who lifted a revoked entitlement (its forbid removed by a new policy version), or null.</summary>
    public string? LiftedBy { get; init; }

    public DateTimeOffset? LiftedAt { get; init; }

    public string? LiftReason { get; init; }

    /// <summary>The policy version the lift was activated in: the first without this item's forbid.</summary>
    public string? LiftPolicyVersion { get; init; }

    /// <summary>The ledger sequence of the lift's <c>review.item_lifted</c> event.</summary>
    public long? LiftLedgerSequence { get; init; }
}
