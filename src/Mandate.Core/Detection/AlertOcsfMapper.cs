using System.Globalization;
using System.Text.Json;

namespace Mandate.Core.Detection;

/// <summary>
/// An alert as an OCSF 1.1 Detection Finding (class 2004, category 2 Findings, activity 1 Create): the finding's uid is
/// the alert id, its analytic the rule, its related events the ledger records that triggered it (by sequence number,
/// so a SIEM can fetch each one's inclusion proof), the identity as the affected resource; the response (risk raised,
/// lifecycle actions) is in <c>unmapped</c>.
/// </summary>
internal static class AlertOcsfMapper
{
    public const string OcsfVersion = "1.1.0";
    public const int ClassUid = 2004;
    public const int CategoryUid = 2;
    public const int CreateActivity = 1;

    public static void Write(Utf8JsonWriter writer, DetectionAlert alert, string productVersion)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(alert);
        var time = alert.Time.ToUnixTimeMilliseconds();
        var (severityId, severity) = Severity(alert.Severity);
        writer.WriteStartObject();
        writer.WriteNumber("class_uid", ClassUid);
        writer.WriteString("class_name", "Detection Finding");
        writer.WriteNumber("category_uid", CategoryUid);
        writer.WriteString("category_name", "Findings");
        writer.WriteNumber("activity_id", CreateActivity);
        writer.WriteString("activity_name", "Create");
        writer.WriteNumber("type_uid", (ClassUid * 100L) + CreateActivity);
        writer.WriteString("type_name", "Detection Finding: Create");
        writer.WriteNumber("time", time);
        writer.WriteNumber("severity_id", severityId);
        writer.WriteString("severity", severity);
        writer.WriteNumber("status_id", 1);
        writer.WriteString("status", "New");
        writer.WriteString("message", alert.Summary);

        writer.WriteStartObject("finding_info");
        writer.WriteString("uid", alert.Id);
        writer.WriteString("title", $"{alert.Rule}: {alert.Identity}");
        writer.WriteString("desc", alert.Summary);
        writer.WriteStartArray("types");
        writer.WriteStringValue(alert.Rule);
        writer.WriteEndArray();
        writer.WriteNumber("created_time", time);
        writer.WriteNumber("first_seen_time", time);
        writer.WriteNumber("last_seen_time", time);
        writer.WriteStartObject("analytic");
        writer.WriteString("uid", alert.Rule);
        writer.WriteString("name", alert.Rule);
        writer.WriteNumber("type_id", 1);
        writer.WriteString("type", "Rule");
        writer.WriteEndObject();
        writer.WriteStartArray("related_events");
        foreach (var seq in alert.Evidence)
        {
            writer.WriteStartObject();
            writer.WriteString("uid", seq.ToString(CultureInfo.InvariantCulture));
            writer.WriteString("product_uid", "mandate-audit");
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();

        writer.WriteStartObject("metadata");
        writer.WriteString("version", OcsfVersion);
        writer.WriteString("uid", alert.Id);
        writer.WriteNumber("sequence", alert.Sequence);
        writer.WriteString("log_name", "mandate-alerts");
        writer.WriteStartObject("product");
        writer.WriteString("name", "Mandate");
        writer.WriteString("vendor_name", "Mandate");
        writer.WriteString("version", productVersion);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartArray("resources");
        writer.WriteStartObject();
        writer.WriteString("uid", alert.Identity);
        writer.WriteString("name", alert.Identity);
        writer.WriteString("type", "Workload Identity");
        writer.WriteEndObject();
        writer.WriteEndArray();

        writer.WriteStartObject("unmapped");
        writer.WriteString("rule", alert.Rule);
        writer.WriteString("identity", alert.Identity);
        if (alert.TaskId is not null)
        {
            writer.WriteString("task_id", alert.TaskId);
        }

        writer.WriteStartArray("evidence");
        foreach (var seq in alert.Evidence)
        {
            writer.WriteNumberValue(seq);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("response");
        writer.WriteString("actions", string.Join(',', alert.Response.Actions));
        writer.WriteString("state", alert.Response.State);
        if (alert.Response.RiskScore is { } score)
        {
            writer.WriteNumber("risk_score", score);
            writer.WriteString("risk_level", alert.Response.RiskLevel ?? RiskLevels.Of(score));
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>OCSF severity_id: 2 Low, 3 Medium, 4 High, 5 Critical.</summary>
    private static (int Id, string Name) Severity(string severity) => severity switch
    {
        "low" => (2, "Low"),
        "medium" => (3, "Medium"),
        "high" => (4, "High"),
        "critical" => (5, "Critical"),
        _ => (0, "Unknown"),
    };
}
