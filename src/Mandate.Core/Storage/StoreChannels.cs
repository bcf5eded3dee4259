namespace Mandate.Core.Storage;

/// <summary>The announcement channels of <see cref="IStoreNotifications"/> and what their payloads are.</summary>
internal static class StoreChannels
{
    /// <summary>Revoked credentials: space-separated <c>jti</c>s, or <c>*</c> for "too many to list: reconcile from the store".</summary>
    public const string Revocations = "mandate_revocations_";

    /// <summary>An identity that was registered or changed status: its SPIFFE ID.</summary>
    public const string Identities = "mandate_identities_";

    /// <summary>
    /// A policy activation (activation, rollback, reactivation of a stored version): its activation sequence and version,
    /// space-separated. Listeners compare the sequence with their own and load the newest activation from the store.
    /// </summary>
    public const string Policies = "mandate_policies_";

    /// <summary>A signing key created, or scheduled to retire, by a rotation: its <c>kid</c>. Listeners reload the key ring.</summary>
    public const string Keys = "mandate_keys_";

    /// <summary>
    /// An identity whose risk changed (raised by detection, cleared by an operator): the identity, or <c>*</c> for "reload
    /// every score" when it is too long to announce.
    /// </summary>
    public const string Risk = "mandate_risk_";

    /// <summary>
    /// An exception or break-glass grant that became active or ended (approved, activated, revoked, expired): its id.
    /// Listeners reload the active grants.
    /// </summary>
    public const string Grants = "mandate_grants_";

    /// <summary>Every channel a node listens on; <see cref="StoreFreshness"/> watches each.</summary>
    public static readonly IReadOnlyList<string> All = [Revocations, Identities, Policies, Keys, Risk, Grants];
}
