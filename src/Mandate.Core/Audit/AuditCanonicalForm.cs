using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit.Canonical;

namespace Mandate.Core.Audit;

/// <summary>
/// The body of an audit record as RFC 8785 canonical JSON: members in UTF-16 code-unit order, no white space, absent
/// values left out. These exact bytes are hashed into the chain, so an exported event that was re-serialized anywhere
/// can be re-canonicalized and checked.
/// </summary>
internal static class AuditCanonicalForm
{
    /// <summary>The timestamp layout in bodies: UTC with milliseconds (the precision the stores keep).</summary>
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Serialize(long sequence, DateTimeOffset time, AuditEvent auditEvent) =>
        Encoding.UTF8.GetString(SerializeToUtf8(sequence, time, auditEvent));

    public static byte[] SerializeToUtf8(long sequence, DateTimeOffset time, AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        // Member names are fixed ASCII, so ordinal order is the RFC 8785 order; details keys are sorted the same way.
        var members = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["seq"] = sequence,
            ["time"] = FormatTime(time),
            ["type"] = auditEvent.Type,
        };
        Add(members, "actor", auditEvent.Actor);
        Add(members, "subject", auditEvent.Subject);
        Add(members, "action", auditEvent.Action);
        Add(members, "resource", auditEvent.Resource);
        Add(members, "decision", auditEvent.Decision);
        Add(members, "policy_version", auditEvent.PolicyVersion);
        Add(members, "jti", auditEvent.CredentialId);
        Add(members, "task_id", auditEvent.TaskId);
        Add(members, "reason", auditEvent.Reason);
        Add(members, "request_id", auditEvent.RequestId);
        if (auditEvent.Chain is { Count: > 0 })
        {
            members["chain"] = auditEvent.Chain;
        }

        if (auditEvent.Details is { Count: > 0 })
        {
            members["details"] = auditEvent.Details;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write("{"u8);
        var first = true;
        foreach (var (name, value) in members)
        {
            if (!first)
            {
                buffer.Write(","u8);
            }

            first = false;
            JsonCanonicalizer.WriteString(name, buffer);
            buffer.Write(":"u8);
            switch (value)
            {
                case long number:
                    buffer.Write(Encoding.UTF8.GetBytes(number.ToString(CultureInfo.InvariantCulture)));
                    break;
                case string text:
                    JsonCanonicalizer.WriteString(text, buffer);
                    break;
                case IReadOnlyList<string> list:
                    buffer.Write("["u8);
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (i > 0)
                        {
                            buffer.Write(","u8);
                        }

                        JsonCanonicalizer.WriteString(list[i], buffer);
                    }

                    buffer.Write("]"u8);
                    break;
                case IReadOnlyDictionary<string, string> map:
                    buffer.Write("{"u8);
                    var firstDetail = true;
                    foreach (var key in map.Keys.OrderBy(k => k, StringComparer.Ordinal))
                    {
                        if (!firstDetail)
                        {
                            buffer.Write(","u8);
                        }

                        firstDetail = false;
                        JsonCanonicalizer.WriteString(key, buffer);
                        buffer.Write(":"u8);
                        JsonCanonicalizer.WriteString(map[key], buffer);
                    }

                    buffer.Write("}"u8);
                    break;
            }
        }

        buffer.Write("}"u8);
        return buffer.WrittenSpan.ToArray();
    }

    public static string FormatTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Reads a body back into its parts. Throws <see cref="FormatException"/> with the reason when it is not an audit body.</summary>
    public static (long Sequence, DateTimeOffset Time, AuditEvent Event) Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("the event body is not a JSON object");
        }

        if (!body.TryGetProperty("seq", out var seqElement) || seqElement.ValueKind != JsonValueKind.Number || !seqElement.TryGetInt64(out var sequence))
        {
            throw new FormatException("the event body has no integer 'seq'");
        }

        if (!body.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            throw new FormatException("the event body has no string 'type'");
        }

        if (!body.TryGetProperty("time", out var timeElement) || timeElement.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParseExact(timeElement.GetString(), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new FormatException("the event body has no 'time' of the form " + TimeFormat);
        }

        List<string>? chain = null;
        if (body.TryGetProperty("chain", out var chainElement))
        {
            if (chainElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("'chain' is not an array");
            }

            chain = [];
            foreach (var item in chainElement.EnumerateArray())
            {
                chain.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new FormatException("'chain' holds a value that is not a string"));
            }
        }

        Dictionary<string, string>? details = null;
        if (body.TryGetProperty("details", out var detailsElement))
        {
            if (detailsElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("'details' is not an object");
            }

            details = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in detailsElement.EnumerateObject())
            {
                details[property.Name] = property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : throw new FormatException($"details '{property.Name}' is not a string");
            }
        }

        var auditEvent = new AuditEvent
        {
            Type = typeElement.GetString()!,
            Actor = Text(body, "actor"),
            Subject = Text(body, "subject"),
            Chain = chain,
            Action = Text(body, "action"),
            Resource = Text(body, "resource"),
            Decision = Text(body, "decision"),
            PolicyVersion = Text(body, "policy_version"),
            CredentialId = Text(body, "jti"),
            TaskId = Text(body, "task_id"),
            Reason = Text(body, "reason"),
            RequestId = Text(body, "request_id"),
            Details = details,
        };
        return (sequence, time, auditEvent);
    }

    public static (long Sequence, DateTimeOffset Time, AuditEvent Event) Parse(string canonicalJson)
    {
        using var document = JsonDocument.Parse(canonicalJson);
        return Parse(document.RootElement);
    }

    private static string? Text(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"'{name}' is not a string");
    }

    private static void Add(SortedDictionary<string, object> members, string key, string? value)
    {
        if (value is not null)
        {
            members[key] = value;
        }
    }
}
