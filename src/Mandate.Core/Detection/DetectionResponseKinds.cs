namespace Mandate.Core.Detection;

/// <summary>What a rule hit does besides raising its alert (configuration <c>Mandate:Detection:Rules:&lt;rule&gt;:Responses</c>).</summary>
internal static class DetectionResponseKinds
{
    /// <summary>Only the alert (every hit raises one; naming it alone means nothing else happens).</summary>
    public const string Alert = "alert";

    /// <summary>Adds the rule's <c>Risk</c> to the identity's risk score.</summary>
    public const string RaiseRisk = "raise_risk";

    /// <summary>Suspends the identity in the inventory (its SVIDs and decisions stop at once).</summary>
    public const string SuspendIdentity = "suspend_identity";

    /// <summary>Revokes every credential of the task the evidence names.</summary>
    public const string RevokeTask = "revoke_task";

    /// <summary>Revokes every credential the identity holds or is the subject of.</summary>
    public const string RevokeCredentials = "revoke_credentials";

    public static readonly IReadOnlyList<string> All = [Alert, RaiseRisk, SuspendIdentity, RevokeTask, RevokeCredentials];

    /// <summary>Responses that change lifecycle state and run after the alert is committed (retried until done).</summary>
    public static bool IsLifecycleAction(string kind) => kind is SuspendIdentity or RevokeTask or RevokeCredentials;
}
