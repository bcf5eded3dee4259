namespace Mandate.Core.Governance.Reviews;

/// <summary>Campaign statuses, item kinds and decisions as they appear on the wire and in the store.</summary>
internal static class ReviewStatuses
{
    public const string Open = "open";
    public const string Completed = "completed";

    /// <summary>Listed status of an open campaign past its due time (stored as open).</summary>
    public const string Overdue = "overdue";

    public const string Certified = "certified";
    public const string Revoked = "revoked";

    /// <summary>Whether the identity should exist at all; revoking suspends it.</summary>
    public const string IdentityItem = "identity";

    /// <summary>An action on a resource type the identity's policies permit; revoking adds a forbid in a new policy version.</summary>
    public const string EntitlementItem = "entitlement";

    /// <summary>An open finding about the identity; revoking suspends a registered identity.</summary>
    public const string FindingItem = "finding";

    /// <summary>
    /// A break-glass activation, opened with it (campaign origin <c>breakglass:&lt;grant id&gt;</c>): certifying says the
    /// emergency use was justified; revoking suspends a registered identity, like an identity item.
    /// </summary>
    public const string BreakGlassItem = "breakglass";
}
