using System.Text.Json;

namespace Mandate.Core.Audit;

/// <summary>
/// Maps ledger events onto OCSF (1.1) event classes for SIEMs: decisions as Authorize Session, credential issuance,
/// exchange and revocation as User Access Management, authentication failures as Authentication, identity changes as
/// Account Change, everything else as API Activity. The mapping is for search and alerting; the JSON Lines export is
/// the verifiable form (each OCSF record carries the ledger's sequence number and hash to find it there).
/// </summary>
internal static class AuditOcsfMapper
{
    public const string OcsfVersion = "1.1.0";

    public static void Write(Utf8JsonWriter writer, AuditRecord record, string productVersion)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(record);
        var e = record.Event;
        var (classUid, className, categoryUid, categoryName, activityId, activityName) = Classify(e.Type);
        var failed = string.Equals(e.Decision, "deny", StringComparison.OrdinalIgnoreCase) || e.Type.EndsWith("_failed", StringComparison.Ordinal);
        writer.WriteStartObject();
        writer.WriteNumber("class_uid", classUid);
        writer.WriteString("class_name", className);
        writer.WriteNumber("category_uid", categoryUid);
        writer.WriteString("category_name", categoryName);
        writer.WriteNumber("activity_id", activityId);
        writer.WriteString("activity_name", activityName);
        writer.WriteNumber("type_uid", (classUid * 100L) + activityId);
        writer.WriteNumber("time", record.Time.ToUnixTimeMilliseconds());
        writer.WriteNumber("severity_id", failed ? 3 : 1);
        writer.WriteString("severity", failed ? "Medium" : "Informational");
        writer.WriteNumber("status_id", failed ? 2 : 1);
        writer.WriteString("status", failed ? "Failure" : "Success");
        if (e.Reason is not null)
        {
            writer.WriteString("status_detail", e.Reason);
        }

        writer.WriteString("message", e.Type);
        writer.WriteStartObject("metadata");
        writer.WriteString("version", OcsfVersion);
        writer.WriteString("uid", record.Hash);
        writer.WriteNumber("sequence", record.Sequence);
        if (e.RequestId is not null)
        {
            writer.WriteString("correlation_uid", e.RequestId);
        }

        writer.WriteString("log_name", "mandate-audit");
        writer.WriteStartObject("product");
        writer.WriteString("name", "Mandate");
        writer.WriteString("vendor_name", "Mandate");
        writer.WriteString("version", productVersion);
        writer.WriteEndObject();
        writer.WriteEndObject();
        if (e.Actor is not null || e.Chain is { Count: > 0 })
        {
            writer.WriteStartObject("actor");
            if (e.Actor is not null)
            {
                writer.WriteStartObject("user");
                writer.WriteString("uid", e.Actor);
                writer.WriteString("type", e.Actor.StartsWith("spiffe://", StringComparison.Ordinal) ? "Service" : "Other");
                writer.WriteEndObject();
            }

            if (e.Chain is { Count: > 0 } chain)
            {
                writer.WriteStartArray("authorizations");
                foreach (var link in chain)
                {
                    writer.WriteStartObject();
                    writer.WriteString("decision", "delegated");
                    writer.WriteStartObject("policy");
                    writer.WriteString("uid", link);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        if (e.Subject is not null)
        {
            writer.WriteStartObject("user");
            writer.WriteString("uid", e.Subject);
            writer.WriteEndObject();
        }

        if (e.Action is not null || e.Resource is not null)
        {
            writer.WriteStartObject("api");
            writer.WriteString("operation", e.Action ?? e.Type);
            writer.WriteEndObject();
            writer.WriteStartArray("resources");
            writer.WriteStartObject();
            writer.WriteString("uid", e.Resource ?? string.Empty);
            writer.WriteEndObject();
            writer.WriteEndArray();
        }

        writer.WriteStartObject("unmapped");
        writer.WriteString("mandate_type", e.Type);
        WriteIfPresent(writer, "decision", e.Decision);
        WriteIfPresent(writer, "policy_version", e.PolicyVersion);
        WriteIfPresent(writer, "jti", e.CredentialId);
        WriteIfPresent(writer, "task_id", e.TaskId);
        if (e.Details is { Count: > 0 } details)
        {
            writer.WriteStartObject("details");
            foreach (var (key, value) in details.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static (int ClassUid, string ClassName, int CategoryUid, string CategoryName, int ActivityId, string ActivityName) Classify(string type) => type switch
    {
        "decision" => (3003, "Authorize Session", 3, "Identity & Access Management", 1, "Assign Privileges"),
        "credential.issued" or "token.exchanged" or "credential.exchanged" or "identity.jwt_svid_issued" or "identity.x509_svid_issued" or "task.opened" or "task.renewed" => (3005, "User Access Management", 3, "Identity & Access Management", 1, "Assign Privileges"),
        "credential.revoked" => (3005, "User Access Management", 3, "Identity & Access Management", 2, "Revoke Privileges"),
        _ when type.Contains("authentication", StringComparison.Ordinal) => (3002, "Authentication", 3, "Identity & Access Management", 1, "Logon"),
        _ when type.StartsWith("identity.", StringComparison.Ordinal) => (3001, "Account Change", 3, "Identity & Access Management", 99, "Other"),
        _ => (6003, "API Activity", 6, "Application Activity", 99, "Other"),
    };

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
