using System.Text.Json;
using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>
/// Converts AuthZEN <c>properties</c> and <c>context</c> (plain JSON) into Cedar values: strings, booleans, integers,
/// arrays as sets, objects as records; <c>__entity</c> / <c>__extn</c> objects use Cedar's JSON escapes. JSON has
/// numbers Cedar lacks (fractions, huge values): those become their JSON text as a string. <c>null</c> members are
/// left out (I-JSON says null-valued members should not be sent at all).
/// </summary>
internal static class JsonCedar
{
    public static CedarValue? ToValue(JsonElement json)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.String:
                return CedarValue.String(json.GetString()!);
            case JsonValueKind.True:
                return CedarValue.Bool(true);
            case JsonValueKind.False:
                return CedarValue.Bool(false);
            case JsonValueKind.Number:
                return json.TryGetInt64(out var number) ? CedarValue.Long(number) : CedarValue.String(json.GetRawText());
            case JsonValueKind.Array:
                var items = new List<CedarValue>(json.GetArrayLength());
                foreach (var item in json.EnumerateArray())
                {
                    if (ToValue(item) is { } value)
                    {
                        items.Add(value);
                    }
                }

                return CedarValue.Set(items);
            case JsonValueKind.Object:
                if (IsEscape(json))
                {
                    try
                    {
                        return CedarValue.FromJson(json);
                    }
                    catch (CedarException e)
                    {
                        throw new JsonException(e.Message, e);
                    }
                }

                return CedarValue.Record(ToAttributes(json));
            default:
                return null;
        }
    }

    /// <summary>The members of a JSON object as Cedar attributes.</summary>
    public static Dictionary<string, CedarValue> ToAttributes(JsonElement json, IReadOnlySet<string>? skip = null)
    {
        var attributes = new Dictionary<string, CedarValue>(StringComparer.Ordinal);
        foreach (var member in json.EnumerateObject())
        {
            if (skip is not null && skip.Contains(member.Name))
            {
                continue;
            }

            if (ToValue(member.Value) is { } value)
            {
                attributes[member.Name] = value;
            }
        }

        return attributes;
    }

    private static bool IsEscape(JsonElement json)
    {
        using var members = json.EnumerateObject();
        if (!members.MoveNext())
        {
            return false;
        }

        var first = members.Current;
        return !members.MoveNext() && (first.Name == "__entity" || first.Name == "__extn");
    }
}
