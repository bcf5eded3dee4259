using System.Text.Json.Nodes;
using Mandate.Core.Audit;
using Mandate.Core.Tasks;

namespace Mandate.Core.Detection.SharedSignals;

/// <summary>
/// Which ledger records become which Security Events: a credential issued or revoked → CAEP <c>credential-change</c>
/// (<c>create</c>, <c>revoke</c>); a task ended (completed, revoked, expired) → CAEP <c>session-revoked</c> of the
/// identity's task session; detection raising an identity's risk, or an operator clearing it → CAEP
/// <c>risk-level-change</c>; a <c>credential_reuse</c> or <c>jti_multi_source</c> alert → RISC
/// <c>credential-compromise</c>. Subjects are the workload's SPIFFE ID (<c>uri</c> format).
/// </summary>
internal static class SsfEventMapper
{
    /// <summary>The alerts that say a credential is in someone else's hands.</summary>
    private static readonly HashSet<string> CompromiseRules = new(StringComparer.Ordinal) { DetectionRuleNames.CredentialReuse, DetectionRuleNames.JtiMultiSource };

    public static (JsonObject Subject, string Type, JsonObject Claims)? Map(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var e = record.Event;
        var at = record.Time.ToUnixTimeSeconds();
        switch (e.Type)
        {
            case "task.opened" or "credential.exchanged" or "identity.jwt_svid_issued" or "identity.x509_svid_issued" when e.Subject is { } subject:
                return (SsfSubjects.Identity(subject), SsfEventTypes.CaepCredentialChange, CredentialChange("create", e, at, e.Type == "identity.x509_svid_issued" ? "x509" : "jwt"));
            case "credential.revoked" when e.Subject is { } subject && e.CredentialId is not null:
                return (SsfSubjects.Identity(subject), SsfEventTypes.CaepCredentialChange, CredentialChange("revoke", e, at, "jwt"));
            case "task." + MandateTaskStatus.Completed or "task." + MandateTaskStatus.Revoked or "task." + MandateTaskStatus.Expired when e.Subject is { } subject && e.TaskId is { } task:
                var session = Common(at, e.Type == "task." + MandateTaskStatus.Completed ? "user" : e.Type == "task." + MandateTaskStatus.Expired ? "system" : Initiator(e.Actor));
                Reason(session, $"task {task} {e.Type["task.".Length..]}");
                return (SsfSubjects.Session(subject, task), SsfEventTypes.CaepSessionRevoked, session);
            case "detection.response" when e.Subject is { } subject && e.Details?.GetValueOrDefault("risk_level") is { } level:
                var raised = Common(at, "system");
                raised["principal"] = "USER";
                raised["current_level"] = CaepLevel(level);
                raised["risk_reason"] = e.Details.GetValueOrDefault("rule") ?? "detection";
                return (SsfSubjects.Identity(subject), SsfEventTypes.CaepRiskLevelChange, raised);
            case "risk.cleared" when e.Subject is { } subject:
                var cleared = Common(at, "admin");
                cleared["principal"] = "USER";
                cleared["current_level"] = "LOW";
                if (e.Details?.GetValueOrDefault("previous_level") is { } previous)
                {
                    cleared["previous_level"] = CaepLevel(previous);
                }

                cleared["risk_reason"] = "cleared by an operator";
                return (SsfSubjects.Identity(subject), SsfEventTypes.CaepRiskLevelChange, cleared);
            case "detection.alert" when e.Subject is { } subject && e.Details?.GetValueOrDefault("rule") is { } rule && CompromiseRules.Contains(rule):
                var compromise = Common(at, "system");
                compromise["credential_type"] = "jwt";
                Reason(compromise, $"{rule}: {e.Reason}");
                return (SsfSubjects.Identity(subject), SsfEventTypes.RiscCredentialCompromise, compromise);
            default:
                return null;
        }
    }

    private static JsonObject CredentialChange(string change, AuditEvent e, long at, string type)
    {
        var claims = Common(at, change == "create" ? "system" : Initiator(e.Actor));
        claims["credential_type"] = type;
        claims["change_type"] = change;
        if (e.CredentialId is { } jti)
        {
            claims["friendly_name"] = "jti " + jti;
        }

        if (change == "revoke" && e.Reason is { } reason)
        {
            Reason(claims, reason);
        }

        return claims;
    }

    private static JsonObject Common(long at, string initiator) => new() { ["event_timestamp"] = at, ["initiating_entity"] = initiator };

    private static void Reason(JsonObject claims, string text) => claims["reason_admin"] = new JsonObject { ["en"] = text.Length > 500 ? text[..500] : text };

    /// <summary>CAEP's initiating_entity: detection and the system act as "policy"/"system", operators as "admin".</summary>
    private static string Initiator(string? actor) => actor switch
    {
        DetectionResponder.Actor => "policy",
        null or "system" => "system",
        _ when actor.StartsWith("spiffe://", StringComparison.Ordinal) => "user",
        _ => "admin",
    };

    /// <summary>CAEP has three risk levels; Mandate's critical is CAEP's HIGH.</summary>
    private static string CaepLevel(string level) => level switch
    {
        "low" => "LOW",
        "medium" => "MEDIUM",
        _ => "HIGH",
    };
}
