namespace Mandate.Core.Detection;

/// <summary>The detection rules, by the names configuration, alerts and the ledger use.</summary>
internal static class DetectionRuleNames
{
    public const string CredentialReuse = "credential_reuse";
    public const string JtiMultiSource = "jti_multi_source";
    public const string ExchangeReplay = "exchange_replay";
    public const string ScopeWideningAttempt = "scope_widening_attempt";
    public const string BeyondTaskScope = "beyond_task_scope";
    public const string DenyBurst = "deny_burst";
    public const string PrivilegeEscalationAttempt = "privilege_escalation_attempt";
    public const string SuspendedIdentityUse = "suspended_identity_use";
    public const string FirstSeenAction = "first_seen_action";
    public const string RateAnomaly = "rate_anomaly";
    public const string ExceptionUse = "exception_use";

    public static readonly IReadOnlyList<string> All =
    [
        CredentialReuse, JtiMultiSource, ExchangeReplay, ScopeWideningAttempt, BeyondTaskScope, DenyBurst,
        PrivilegeEscalationAttempt, SuspendedIdentityUse, FirstSeenAction, RateAnomaly, ExceptionUse,
    ];
}
