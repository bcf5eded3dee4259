namespace Mandate.Core.Detection.Webhooks;

/// <summary>
/// The event types a webhook endpoint subscribes to (the <c>type</c> of the payload). <see cref="AlertRaised"/> carries
/// the alert as <c>GET /v1/alerts</c> shows it; the others carry the ledger record that caused them.
/// </summary>
internal static class WebhookEventTypes
{
    /// <summary>Detection raised an alert (<c>detection.alert</c>).</summary>
    public const string AlertRaised = "alert.raised";

    /// <summary>Detection responded to an alert (<c>detection.response</c>: risk raised, identity suspended, revocations).</summary>
    public const string AlertResponded = "alert.responded";

    /// <summary>Credentials were revoked (<c>credential.revoked</c>).</summary>
    public const string CredentialRevoked = "credential.revoked";

    /// <summary>An identity's lifecycle status changed (<c>identity.suspended</c>, <c>revoked</c>, <c>offboarded</c>, <c>reactivated</c>).</summary>
    public const string IdentityStatusChanged = "identity.status_changed";

    /// <summary>An operator cleared an identity's risk (<c>risk.cleared</c>).</summary>
    public const string RiskCleared = "risk.cleared";

    public static readonly IReadOnlyList<string> All = [AlertRaised, AlertResponded, CredentialRevoked, IdentityStatusChanged, RiskCleared];

    /// <summary>The webhook event type of a ledger event type, or null when webhooks do not carry it.</summary>
    public static string? Of(string ledgerType) => ledgerType switch
    {
        "detection.alert" => AlertRaised,
        "detection.response" => AlertResponded,
        "credential.revoked" => CredentialRevoked,
        "identity.suspended" or "identity.revoked" or "identity.offboarded" or "identity.reactivated" => IdentityStatusChanged,
        "risk.cleared" => RiskCleared,
        _ => null,
    };
}
