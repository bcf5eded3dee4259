using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mandate.Core.Audit;

/// <summary>
/// The canonical JSON of an audit record body: members in ordinal key order, no insignificant white space, nulls
/// left out, so the same event always hashes to the same bytes.
/// </summary>
internal static class AuditCanonicalForm
{
    public static string Serialize(long sequence, DateTimeOffset time, AuditEvent e)
    {
        var members = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["seq"] = sequence,
            ["time"] = time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["type"] = e.Type,
        };
        Add(members, "actor", e.Actor);
        Add(members, "subject", e.Subject);
        Add(members, "action", e.Action);
        Add(members, "resource", e.Resource);
        Add(members, "decision", e.Decision);
        Add(members, "policy_version", e.PolicyVersion);
        Add(members, "jti", e.CredentialId);
        Add(members, "task_id", e.TaskId);
        Add(members, "reason", e.Reason);
        Add(members, "request_id", e.RequestId);
        if (e.Chain is { Count: > 0 })
        {
            members["chain"] = e.Chain;
        }

        if (e.Details is { Count: > 0 })
        {
            members["details"] = new SortedDictionary<string, string>(e.Details.ToDictionary(), StringComparer.Ordinal);
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in members)
            {
                writer.WritePropertyName(key);
                switch (value)
                {
                    case long number:
                        writer.WriteNumberValue(number);
                        break;
                    case string text:
                        writer.WriteStringValue(text);
                        break;
                    case IReadOnlyList<string> list:
                        writer.WriteStartArray();
                        foreach (var item in list)
                        {
                            writer.WriteStringValue(item);
                        }

                        writer.WriteEndArray();
                        break;
                    case SortedDictionary<string, string> map:
                        writer.WriteStartObject();
                        foreach (var (k, v) in map)
                        {
                            writer.WriteString(k, v);
                        }

                        writer.WriteEndObject();
                        break;
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Add(SortedDictionary<string, object> members, string key, string? value)
    {
        if (value is not null)
        {
            members[key] = value;
        }
    }
}
