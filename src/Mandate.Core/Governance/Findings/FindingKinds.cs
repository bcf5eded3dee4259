namespace Mandate.Core.Governance.Findings;

/// <summary>The finding kinds, by their wire names.</summary>
internal static class FindingKinds
{
    public const string NoOwner = "no_owner";
    public const string Orphaned = "orphaned";
    public const string ExpiredActive = "expired_active";
    public const string Stale = "stale";
    public const string RotationOverdue = "rotation_overdue";
    public const string LongLivedSecret = "long_lived_secret";
    public const string SharedSecret = "shared_secret";
    public const string UnusedGrant = "unused_grant";
    public const string BroadPolicy = "broad_policy";

    public static readonly IReadOnlyList<string> All = [NoOwner, Orphaned, ExpiredActive, Stale, RotationOverdue, LongLivedSecret, SharedSecret, UnusedGrant, BroadPolicy];
}
