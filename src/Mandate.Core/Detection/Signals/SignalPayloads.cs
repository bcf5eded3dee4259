using System.Buffers;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;

namespace Mandate.Core.Detection.Signals;

/// <summary>
/// The JSON that outbound signals carry: an alert exactly as <c>GET /v1/alerts</c> shows it, and a ledger record
/// (its sequence number, so a receiver can fetch its inclusion proof, and its fields).
/// </summary>
internal static class SignalPayloads
{
    /// <summary>A Standard Webhooks payload: <c>{"type","timestamp","data"}</c>.</summary>
    public static string Webhook(string type, DateTimeOffset timestamp, Action<Utf8JsonWriter> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteString("timestamp", AuditCanonicalForm.FormatTime(timestamp));
            writer.WritePropertyName("data");
            data(writer);
            writer.WriteEndObject();
        });
    }

    public static void WriteAlert(Utf8JsonWriter writer, DetectionAlert alert)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(alert);
        writer.WriteStartObject();
        writer.WriteString("id", alert.Id);
        writer.WriteNumber("seq", alert.Sequence);
        writer.WriteString("rule", alert.Rule);
        writer.WriteString("severity", alert.Severity);
        writer.WriteString("identity", alert.Identity);
        writer.WriteString("time", alert.Time); // as the API serializes a DateTimeOffset
        writer.WriteString("summary", alert.Summary);
        writer.WriteStartArray("evidence");
        foreach (var seq in alert.Evidence)
        {
            writer.WriteNumberValue(seq);
        }

        writer.WriteEndArray();
        if (alert.TaskId is not null)
        {
            writer.WriteString("task_id", alert.TaskId);
        }

        writer.WriteStartObject("response");
        writer.WriteStartArray("actions");
        foreach (var action in alert.Response.Actions)
        {
            writer.WriteStringValue(action);
        }

        writer.WriteEndArray();
        if (alert.Response.RiskScore is { } score)
        {
            writer.WriteStartObject("risk");
            writer.WriteNumber("score", score);
            writer.WriteString("level", alert.Response.RiskLevel ?? RiskLevels.Of(score));
            writer.WriteEndObject();
        }

        writer.WriteString("state", alert.Response.State);
        writer.WriteStartArray("outcomes");
        foreach (var outcome in alert.Response.Outcomes)
        {
            writer.WriteStringValue(outcome);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static void WriteRecord(Utf8JsonWriter writer, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(record);
        var e = record.Event;
        writer.WriteStartObject();
        writer.WriteNumber("seq", record.Sequence);
        writer.WriteString("time", AuditCanonicalForm.FormatTime(record.Time));
        writer.WriteString("type", e.Type);
        Optional(writer, "actor", e.Actor);
        Optional(writer, "subject", e.Subject);
        Optional(writer, "action", e.Action);
        Optional(writer, "resource", e.Resource);
        Optional(writer, "jti", e.CredentialId);
        Optional(writer, "task_id", e.TaskId);
        Optional(writer, "reason", e.Reason);
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
    }

    public static string Write(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Optional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
