using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mandate.Core.Detection.SharedSignals;

/// <summary>
/// Subject identifiers (SSF 1.0, RFC 9493): validation of the ones a receiver names, their canonical form (members
/// sorted, so the same subject is one key however it is written), and the subjects of Mandate's events.
/// </summary>
internal static class SsfSubjects
{
    public const int MaxBytes = 2048;

    /// <summary>A workload identity (its SPIFFE ID) as a subject.</summary>
    public static JsonObject Identity(string id) => new() { ["format"] = "uri", ["uri"] = id };

    /// <summary>A task, as the session of its identity.</summary>
    public static JsonObject Session(string identity, string taskId) => new()
    {
        ["format"] = "complex",
        ["user"] = Identity(identity),
        ["session"] = new JsonObject { ["format"] = "opaque", ["id"] = taskId },
    };

    /// <summary>Null when <paramref name="subject"/> is a subject identifier (an object with a string <c>format</c> and nothing empty); else why not.</summary>
    public static string? Validate(JsonElement subject)
    {
        if (subject.ValueKind != JsonValueKind.Object)
        {
            return "subject: must be a JSON object with a 'format'.";
        }

        if (subject.GetRawText().Length > MaxBytes)
        {
            return $"subject: at most {MaxBytes} bytes.";
        }

        if (!subject.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(format.GetString()))
        {
            return "subject: 'format' must be a non-empty string (e.g. email, iss_sub, opaque, uri, complex).";
        }

        var members = 0;
        foreach (var member in subject.EnumerateObject())
        {
            members++;
            if (member.Value.ValueKind is JsonValueKind.String && string.IsNullOrEmpty(member.Value.GetString()))
            {
                return $"subject: '{member.Name}' is empty.";
            }
        }

        return members < 2 ? "subject: names nothing but its format." : null;
    }

    /// <summary>The canonical JSON of a subject: object members sorted by name, recursively.</summary>
    public static string Key(JsonNode? subject) => Canonical(subject)?.ToJsonString() ?? "null";

    public static string Key(JsonElement subject) => Key(JsonNode.Parse(subject.GetRawText()));

    /// <summary>The keys a stream's removal of a subject may name for an event about <paramref name="subject"/> (it, and a complex subject's parts).</summary>
    public static IEnumerable<string> Keys(JsonObject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        yield return Key(subject);
        if (subject["format"]?.GetValue<string>() == "complex")
        {
            foreach (var (_, part) in subject)
            {
                if (part is JsonObject inner)
                {
                    yield return Key(inner);
                }
            }
        }
    }

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Canonical)]),
        null => null,
        _ => node.DeepClone(),
    };
}
