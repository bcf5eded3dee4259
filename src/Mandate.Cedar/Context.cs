using System.Text.Json;
using Mandate.Cedar.Json;

namespace Mandate.Cedar;

/// <summary>Builds request contexts.</summary>
public static class Context
{
    /// <summary>
    /// Reads a context record from JSON. With a schema and the request's action, values are typed by the action's
    /// context type (extension strings, implicit entity references). Throws <see cref="CedarException"/> when malformed.
    /// </summary>
    public static IReadOnlyDictionary<string, CedarValue> FromJson(JsonElement json, Schema? schema = null, EntityUid? action = null)
    {
        var hint = schema?.TypeResolver is { } resolver && action is { } a ? resolver.ContextType(a) : null;
        return CedarJsonReader.ReadRecordAttributes(json, hint, "context");
    }

    /// <summary>Reads a context record from JSON text; see <see cref="FromJson(JsonElement, Schema?, EntityUid?)"/>.</summary>
    public static IReadOnlyDictionary<string, CedarValue> FromJson(string json, Schema? schema = null, EntityUid? action = null)
    {
        using var document = CedarJsonReader.ParseDocument(json, "the context JSON");
        return FromJson(document.RootElement, schema, action);
    }
}
