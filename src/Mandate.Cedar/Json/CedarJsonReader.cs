using System.Text.Json;
using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Json;

/// <summary>
/// Reads Cedar's JSON data formats: entity uids, values (with <c>__entity</c> / <c>__extn</c> escapes), entity lists
/// and contexts. With a schema hint, strings become extension values and <c>{"type","id"}</c> objects become entity
/// references where the schema expects them. Every failure is a <see cref="CedarException"/> naming where it happened.
/// </summary>
internal static class CedarJsonReader
{
    private const int MaxDepth = 128;

    public static JsonDocument ParseDocument(string json, string what)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth * 2 });
        }
        catch (JsonException ex)
        {
            throw new CedarException($"{what} is not valid JSON: {ex.Message}");
        }
    }

    public static List<Entity> ReadEntities(string json, ISchemaTypeResolver? schema)
    {
        using var document = ParseDocument(json, "the entities JSON");
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new CedarException("the entities JSON must be an array of entity objects");
        }

        var result = new List<Entity>();
        var index = 0;
        foreach (var element in document.RootElement.EnumerateArray())
        {
            result.Add(ReadEntity(element, schema, $"entity #{index}"));
            index++;
        }

        return result;
    }

    public static Entity ReadEntity(JsonElement element, ISchemaTypeResolver? schema, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CedarException($"{where}: expected an object with \"uid\", \"attrs\" and \"parents\"");
        }

        CheckNoDuplicateKeys(element, where);
        if (!element.TryGetProperty("uid", out var uidElement))
        {
            throw new CedarException($"{where}: missing \"uid\"");
        }

        var uid = ReadUid(uidElement, $"{where}, \"uid\"");
        where = $"entity {uid}";
        Dictionary<string, CedarValue>? attributes = null;
        if (element.TryGetProperty("attrs", out var attrs) && attrs.ValueKind != JsonValueKind.Null)
        {
            if (attrs.ValueKind != JsonValueKind.Object)
            {
                throw new CedarException($"{where}: \"attrs\" must be an object");
            }

            attributes = new Dictionary<string, CedarValue>(StringComparer.Ordinal);
            foreach (var property in attrs.EnumerateObject())
            {
                var hint = schema?.EntityAttributeType(uid.Type, property.Name);
                if (!attributes.TryAdd(property.Name, ReadValue(property.Value, hint, $"{where}, attribute \"{property.Name}\"")))
                {
                    throw new CedarException($"{where}: duplicate attribute \"{property.Name}\"");
                }
            }
        }

        var parents = new List<EntityUid>();
        if (element.TryGetProperty("parents", out var parentsElement) && parentsElement.ValueKind != JsonValueKind.Null)
        {
            if (parentsElement.ValueKind != JsonValueKind.Array)
            {
                throw new CedarException($"{where}: \"parents\" must be an array of entity uids");
            }

            foreach (var parent in parentsElement.EnumerateArray())
            {
                parents.Add(ReadUid(parent, $"{where}, \"parents\""));
            }
        }

        Dictionary<string, CedarValue>? tags = null;
        if (element.TryGetProperty("tags", out var tagsElement) && tagsElement.ValueKind != JsonValueKind.Null)
        {
            if (tagsElement.ValueKind != JsonValueKind.Object)
            {
                throw new CedarException($"{where}: \"tags\" must be an object");
            }

            tags = new Dictionary<string, CedarValue>(StringComparer.Ordinal);
            var hint = schema?.EntityTagType(uid.Type);
            foreach (var property in tagsElement.EnumerateObject())
            {
                if (!tags.TryAdd(property.Name, ReadValue(property.Value, hint, $"{where}, tag \"{property.Name}\"")))
                {
                    throw new CedarException($"{where}: duplicate tag \"{property.Name}\"");
                }
            }
        }

        return new Entity(uid, attributes, parents, tags);
    }

    /// <summary>Reads <c>{"type": .., "id": ..}</c> or <c>{"__entity": {"type": .., "id": ..}}</c>.</summary>
    public static EntityUid ReadUid(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CedarException($"{where}: expected an entity uid like {{\"type\": \"User\", \"id\": \"alice\"}}, found {Describe(element)}");
        }

        if (element.TryGetProperty("__entity", out var inner))
        {
            return ReadUid(inner, where);
        }

        if (!element.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
            || !element.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            throw new CedarException($"{where}: an entity uid needs string fields \"type\" and \"id\"");
        }

        var typeName = type.GetString()!;
        if (!Syntax.Names.IsValidTypeName(typeName))
        {
            throw new CedarException($"{where}: \"{typeName}\" is not a valid entity type name");
        }

        return new EntityUid(typeName, id.GetString()!);
    }

    public static Dictionary<string, CedarValue> ReadRecordAttributes(JsonElement element, IValueTypeHint? hint, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CedarException($"{where}: expected a JSON object, found {Describe(element)}");
        }

        CheckNoDuplicateKeys(element, where);
        var map = new Dictionary<string, CedarValue>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var attributeHint = hint?.HintKind == ValueTypeHintKind.Record ? hint.HintAttribute(property.Name) : null;
            map[property.Name] = ReadValue(property.Value, attributeHint, $"{where}, attribute \"{property.Name}\"");
        }

        return map;
    }

    public static CedarValue ReadValue(JsonElement element, IValueTypeHint? hint, string where, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new CedarException($"{where}: the value is nested more than {MaxDepth} levels deep");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.True:
                return BoolValue.True;
            case JsonValueKind.False:
                return BoolValue.False;
            case JsonValueKind.Number:
                if (element.TryGetInt64(out var number))
                {
                    return LongValue.Of(number);
                }

                throw new CedarException($"{where}: {element.GetRawText()} is not a 64-bit integer (Cedar has no fractions; use decimal(\"...\"))");
            case JsonValueKind.String:
                var text = element.GetString()!;
                if (hint is { HintKind: ValueTypeHintKind.Extension, HintName: { } extension })
                {
                    var constructor = extension == "ipaddr" ? "ip" : extension;
                    return CallExtension(constructor, [new StringValue(text)], where);
                }

                return new StringValue(text);
            case JsonValueKind.Array:
                var elementHint = hint?.HintKind == ValueTypeHintKind.Set ? hint.HintElement : null;
                var items = new List<CedarValue>();
                foreach (var item in element.EnumerateArray())
                {
                    items.Add(ReadValue(item, elementHint, where, depth + 1));
                }

                return SetValue.Of(items);
            case JsonValueKind.Object:
                return ReadObject(element, hint, where, depth);
            default:
                throw new CedarException($"{where}: {Describe(element)} is not a Cedar value");
        }
    }

    private static CedarValue ReadObject(JsonElement element, IValueTypeHint? hint, string where, int depth)
    {
        CheckNoDuplicateKeys(element, where);
        var count = 0;
        foreach (var unused in element.EnumerateObject())
        {
            count++;
        }

        if (count == 1 && element.TryGetProperty("__entity", out _))
        {
            return new EntityValue(ReadUid(element, where));
        }

        if (count == 1 && element.TryGetProperty("__extn", out var extn))
        {
            return ReadExtension(extn, where, depth);
        }

        if (hint?.HintKind == ValueTypeHintKind.Entity)
        {
            return new EntityValue(ReadUid(element, where));
        }

        var recordHint = hint?.HintKind == ValueTypeHintKind.Record ? hint : null;
        var map = new Dictionary<string, CedarValue>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            map[property.Name] = ReadValue(property.Value, recordHint?.HintAttribute(property.Name), $"{where}.{property.Name}", depth + 1);
        }

        return new RecordValue(map);
    }

    private static CedarValue ReadExtension(JsonElement extn, string where, int depth)
    {
        if (extn.ValueKind != JsonValueKind.Object || !extn.TryGetProperty("fn", out var fn) || fn.ValueKind != JsonValueKind.String)
        {
            throw new CedarException($"{where}: \"__extn\" needs {{\"fn\": name, \"arg\": value}} or {{\"fn\": name, \"args\": [values]}}");
        }

        var args = new List<CedarValue>();
        if (extn.TryGetProperty("arg", out var arg))
        {
            args.Add(ReadValue(arg, null, where, depth + 1));
        }
        else if (extn.TryGetProperty("args", out var argList) && argList.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in argList.EnumerateArray())
            {
                args.Add(ReadValue(item, null, where, depth + 1));
            }
        }
        else
        {
            throw new CedarException($"{where}: \"__extn\" needs \"arg\" or \"args\"");
        }

        return CallExtension(fn.GetString()!, args, where);
    }

    private static CedarValue CallExtension(string name, IReadOnlyList<CedarValue> args, string where)
    {
        if (!ExtensionFunctions.TryGet(name, out var function))
        {
            throw new CedarException($"{where}: unknown extension function `{name}`");
        }

        var context = new EvaluationContext();
        var result = function.Invoke(args, context);
        return result ?? throw new CedarException($"{where}: {context.Error}");
    }

    private static void CheckNoDuplicateKeys(JsonElement element, string where)
    {
        HashSet<string>? seen = null;
        foreach (var property in element.EnumerateObject())
        {
            seen ??= new HashSet<string>(StringComparer.Ordinal);
            if (!seen.Add(property.Name))
            {
                throw new CedarException($"{where}: duplicate key \"{property.Name}\"");
            }
        }
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
