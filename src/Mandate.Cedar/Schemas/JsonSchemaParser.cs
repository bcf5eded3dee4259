using System.Text.Json;

namespace Mandate.Cedar.Schemas;

/// <summary>
/// Reads Cedar's JSON schema format into <see cref="RawNamespace"/>s. Unknown or duplicate keys are errors, as in
/// the reference implementation; every error names the JSON path where it was found.
/// </summary>
internal static class JsonSchemaParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256 };

    public static List<RawNamespace> Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            int line = (int)(ex.LineNumber ?? 0) + 1;
            int column = (int)(ex.BytePositionInLine ?? 0) + 1;
            throw new SchemaSyntaxException($"invalid JSON: {FirstSentence(ex.Message)}", new SchemaLocation(line, column, null));
        }

        using (document)
        {
            var root = document.RootElement;
            RequireKind(root, JsonValueKind.Object, "$", "an object mapping namespace names to namespace definitions");
            var result = new List<RawNamespace>();
            foreach (var (name, value) in Properties(root, "$"))
            {
                string path = $"$[{Quote(name)}]";
                if (name.Split("::").Contains("__cedar", StringComparer.Ordinal))
                {
                    throw new SchemaSyntaxException("`__cedar` is reserved and cannot be used in a namespace name", Loc(path));
                }

                result.Add(ParseNamespace(name, value, path));
            }

            return result;
        }
    }

    private static string FirstSentence(string message)
    {
        int index = message.IndexOf(" Path:", StringComparison.Ordinal);
        return index > 0 ? message[..index] : message;
    }

    private static SchemaLocation Loc(string path) => new(0, 0, path);

    private static string Quote(string s) => JsonSerializer.Serialize(s);

    private static void RequireKind(JsonElement element, JsonValueKind kind, string path, string what)
    {
        if (element.ValueKind != kind)
        {
            throw new SchemaSyntaxException($"expected {what}, found {Describe(element.ValueKind)}", Loc(path));
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static List<(string Name, JsonElement Value)> Properties(JsonElement element, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<(string, JsonElement)>();
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw new SchemaSyntaxException($"duplicate key {Quote(property.Name)}", Loc(path));
            }

            list.Add((property.Name, property.Value));
        }

        return list;
    }

    private static void RejectUnknownKeys(List<(string Name, JsonElement Value)> properties, string path, params string[] allowed)
    {
        foreach (var (name, _) in properties)
        {
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                throw new SchemaSyntaxException(
                    $"unknown key {Quote(name)}; expected one of {string.Join(", ", allowed.Select(Quote))}", Loc(path));
            }
        }
    }

    private static JsonElement? Get(List<(string Name, JsonElement Value)> properties, string key)
    {
        foreach (var (name, value) in properties)
        {
            if (string.Equals(name, key, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }

    private static string GetString(JsonElement element, string path, string what)
    {
        RequireKind(element, JsonValueKind.String, path, what);
        return element.GetString()!;
    }

    private static RawNamespace ParseNamespace(string name, JsonElement value, string path)
    {
        RequireKind(value, JsonValueKind.Object, path, "a namespace definition object");
        var properties = Properties(value, path);
        RejectUnknownKeys(properties, path, "commonTypes", "entityTypes", "actions", "annotations");
        var ns = new RawNamespace(name, Loc(path));
        if (name.Length == 0 && Get(properties, "annotations") is not null)
        {
            throw new SchemaSyntaxException("annotations are not allowed on the empty namespace", Loc(path + ".annotations"));
        }

        foreach (var (key, annotation) in ParseAnnotations(Get(properties, "annotations"), path + ".annotations"))
        {
            ns.Annotations[key] = annotation;
        }

        if (Get(properties, "commonTypes") is { } commonTypes)
        {
            string ctPath = path + ".commonTypes";
            RequireKind(commonTypes, JsonValueKind.Object, ctPath, "an object of common type definitions");
            foreach (var (typeName, typeValue) in Properties(commonTypes, ctPath))
            {
                string tPath = $"{ctPath}[{Quote(typeName)}]";
                ns.CommonTypes.Add(new RawCommonType(typeName, ParseType(typeValue, tPath, allowRequired: false), TypeAnnotations(typeValue, tPath), Loc(tPath)));
            }
        }

        var entityTypes = Get(properties, "entityTypes")
            ?? throw new SchemaSyntaxException("namespace definition is missing \"entityTypes\"", Loc(path));
        string etPath = path + ".entityTypes";
        RequireKind(entityTypes, JsonValueKind.Object, etPath, "an object of entity type definitions");
        foreach (var (typeName, typeValue) in Properties(entityTypes, etPath))
        {
            ns.EntityTypes.Add(ParseEntityType(typeName, typeValue, $"{etPath}[{Quote(typeName)}]"));
        }

        var actions = Get(properties, "actions")
            ?? throw new SchemaSyntaxException("namespace definition is missing \"actions\"", Loc(path));
        string aPath = path + ".actions";
        RequireKind(actions, JsonValueKind.Object, aPath, "an object of action definitions");
        foreach (var (actionName, actionValue) in Properties(actions, aPath))
        {
            ns.Actions.Add(ParseAction(actionName, actionValue, $"{aPath}[{Quote(actionName)}]"));
        }

        return ns;
    }

    private static Dictionary<string, string?> ParseAnnotations(JsonElement? element, string path)
    {
        var annotations = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (element is not { } value)
        {
            return annotations;
        }

        RequireKind(value, JsonValueKind.Object, path, "an object of annotations");
        foreach (var (key, annotation) in Properties(value, path))
        {
            annotations[key] = annotation.ValueKind == JsonValueKind.Null ? null : GetString(annotation, $"{path}[{Quote(key)}]", "a string annotation value");
        }

        return annotations;
    }

    private static IReadOnlyDictionary<string, string?> TypeAnnotations(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("annotations", out var annotations)
            ? ParseAnnotations(annotations, path + ".annotations")
            : new Dictionary<string, string?>(StringComparer.Ordinal);

    private static RawEntityType ParseEntityType(string name, JsonElement value, string path)
    {
        RequireKind(value, JsonValueKind.Object, path, "an entity type definition object");
        var properties = Properties(value, path);
        RejectUnknownKeys(properties, path, "memberOfTypes", "shape", "tags", "enum", "annotations");
        var memberOf = new List<(string, SchemaLocation)>();
        if (Get(properties, "memberOfTypes") is { } memberOfTypes)
        {
            string mPath = path + ".memberOfTypes";
            RequireKind(memberOfTypes, JsonValueKind.Array, mPath, "an array of entity type names");
            int i = 0;
            foreach (var item in memberOfTypes.EnumerateArray())
            {
                string itemPath = $"{mPath}[{i++}]";
                memberOf.Add((GetString(item, itemPath, "an entity type name"), Loc(itemPath)));
            }
        }

        RawType? shape = Get(properties, "shape") is { } shapeValue ? ParseType(shapeValue, path + ".shape", allowRequired: false) : null;
        if (shape is not null and not RawRecordType and not RawNamedType)
        {
            throw new SchemaSyntaxException("an entity shape must be a record type or a common type name", Loc(path + ".shape"));
        }

        RawType? tags = Get(properties, "tags") is { } tagsValue ? ParseType(tagsValue, path + ".tags", allowRequired: false) : null;
        List<string>? enumValues = null;
        if (Get(properties, "enum") is { } enumValue)
        {
            string ePath = path + ".enum";
            RequireKind(enumValue, JsonValueKind.Array, ePath, "an array of entity ids");
            enumValues = [];
            int i = 0;
            foreach (var item in enumValue.EnumerateArray())
            {
                enumValues.Add(GetString(item, $"{ePath}[{i++}]", "a string entity id"));
            }

            if (enumValues.Count == 0)
            {
                throw new SchemaSyntaxException("an enumerated entity type needs at least one id", Loc(ePath));
            }

            if (memberOf.Count > 0 || shape is not null || tags is not null)
            {
                throw new SchemaSyntaxException("an enumerated entity type cannot declare memberOfTypes, shape or tags", Loc(path));
            }
        }

        return new RawEntityType(name, memberOf, shape, tags, enumValues, ParseAnnotations(Get(properties, "annotations"), path + ".annotations"), Loc(path));
    }

    private static RawAction ParseAction(string name, JsonElement value, string path)
    {
        RequireKind(value, JsonValueKind.Object, path, "an action definition object");
        var properties = Properties(value, path);
        RejectUnknownKeys(properties, path, "memberOf", "appliesTo", "annotations", "attributes");
        var memberOf = new List<RawActionReference>();
        if (Get(properties, "memberOf") is { } memberOfValue)
        {
            string mPath = path + ".memberOf";
            RequireKind(memberOfValue, JsonValueKind.Array, mPath, "an array of action references");
            int i = 0;
            foreach (var item in memberOfValue.EnumerateArray())
            {
                string itemPath = $"{mPath}[{i++}]";
                RequireKind(item, JsonValueKind.Object, itemPath, "an action reference object {\"id\": ..., \"type\": ...}");
                var refProperties = Properties(item, itemPath);
                RejectUnknownKeys(refProperties, itemPath, "id", "type");
                string id = GetString(Get(refProperties, "id") ?? throw new SchemaSyntaxException("action reference is missing \"id\"", Loc(itemPath)), itemPath + ".id", "a string action id");
                string? type = Get(refProperties, "type") is { } t ? GetString(t, itemPath + ".type", "an action entity type name") : null;
                memberOf.Add(new RawActionReference(type, id, Loc(itemPath)));
            }
        }

        if (Get(properties, "attributes") is not null)
        {
            throw new SchemaSyntaxException("action attributes are not supported", Loc(path + ".attributes"));
        }

        RawAppliesTo? appliesTo = null;
        if (Get(properties, "appliesTo") is { } appliesValue && appliesValue.ValueKind != JsonValueKind.Null)
        {
            string aPath = path + ".appliesTo";
            RequireKind(appliesValue, JsonValueKind.Object, aPath, "an appliesTo object");
            var aProperties = Properties(appliesValue, aPath);
            RejectUnknownKeys(aProperties, aPath, "principalTypes", "resourceTypes", "context");
            var principals = ParseTypeNameList(Get(aProperties, "principalTypes"), aPath + ".principalTypes");
            var resources = ParseTypeNameList(Get(aProperties, "resourceTypes"), aPath + ".resourceTypes");
            RawType? context = Get(aProperties, "context") is { } contextValue ? ParseType(contextValue, aPath + ".context", allowRequired: false) : null;
            if (context is not null and not RawRecordType and not RawNamedType)
            {
                throw new SchemaSyntaxException("an action context must be a record type or a common type name", Loc(aPath + ".context"));
            }

            appliesTo = new RawAppliesTo(principals, resources, context);
        }

        return new RawAction(name, memberOf, appliesTo, ParseAnnotations(Get(properties, "annotations"), path + ".annotations"), Loc(path));
    }

    private static List<(string, SchemaLocation)> ParseTypeNameList(JsonElement? element, string path)
    {
        var list = new List<(string, SchemaLocation)>();
        if (element is not { } value)
        {
            throw new SchemaSyntaxException("appliesTo must list its entity types here (an empty array means none)", Loc(path));
        }

        RequireKind(value, JsonValueKind.Array, path, "an array of entity type names");
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            string itemPath = $"{path}[{i++}]";
            list.Add((GetString(item, itemPath, "an entity type name"), Loc(itemPath)));
        }

        return list;
    }

    private static RawType ParseType(JsonElement value, string path, bool allowRequired)
    {
        RequireKind(value, JsonValueKind.Object, path, "a type object with a \"type\" key");
        var properties = Properties(value, path);
        var typeElement = Get(properties, "type") ?? throw new SchemaSyntaxException("type is missing its \"type\" key", Loc(path));
        string type = GetString(typeElement, path + ".type", "a type name");
        var location = Loc(path);
        var common = new List<string> { "type", "annotations" };
        if (allowRequired)
        {
            common.Add("required");
        }

        switch (type)
        {
            case "Long":
            case "String":
            case "Boolean":
                RejectUnknownKeys(properties, path, [.. common]);
                return new RawPrimitiveType(type switch { "Long" => SchemaTypeKind.Long, "String" => SchemaTypeKind.String, _ => SchemaTypeKind.Bool }, location);
            case "Set":
                {
                    RejectUnknownKeys(properties, path, [.. common, "element"]);
                    var element = Get(properties, "element") ?? throw new SchemaSyntaxException("set type is missing its \"element\" type", location);
                    return new RawSetType(ParseType(element, path + ".element", allowRequired: false), location);
                }

            case "Record":
                {
                    RejectUnknownKeys(properties, path, [.. common, "attributes", "additionalAttributes"]);
                    if (Get(properties, "additionalAttributes") is { } additional && additional.ValueKind != JsonValueKind.False)
                    {
                        throw new SchemaSyntaxException("records with additional attributes are not supported", Loc(path + ".additionalAttributes"));
                    }

                    var attributes = new List<RawAttribute>();
                    var attributesValue = Get(properties, "attributes")
                        ?? throw new SchemaSyntaxException("record type is missing its \"attributes\"", location);
                    string aPath = path + ".attributes";
                    RequireKind(attributesValue, JsonValueKind.Object, aPath, "an object of attribute types");
                    foreach (var (name, attribute) in Properties(attributesValue, aPath))
                    {
                        string attributePath = $"{aPath}[{Quote(name)}]";
                        var attributeType = ParseType(attribute, attributePath, allowRequired: true);
                        bool required = true;
                        if (attribute.TryGetProperty("required", out var requiredValue))
                        {
                            required = requiredValue.ValueKind switch
                            {
                                JsonValueKind.True => true,
                                JsonValueKind.False => false,
                                _ => throw new SchemaSyntaxException("\"required\" must be true or false", Loc(attributePath + ".required")),
                            };
                        }

                        attributes.Add(new RawAttribute(name, attributeType, required, TypeAnnotations(attribute, attributePath), Loc(attributePath)));
                    }

                    return new RawRecordType(attributes, location);
                }

            case "Entity":
            case "Extension":
            case "EntityOrCommon":
                {
                    RejectUnknownKeys(properties, path, [.. common, "name"]);
                    var nameValue = Get(properties, "name") ?? throw new SchemaSyntaxException($"{type} type is missing its \"name\"", location);
                    string name = GetString(nameValue, path + ".name", "a type name");
                    return type switch
                    {
                        "Entity" => new RawNamedType(name, RawReferenceKind.Entity, location),
                        "Extension" => new RawExtensionType(name, location),
                        _ => new RawNamedType(name, RawReferenceKind.EntityOrCommon, location),
                    };
                }

            default:
                RejectUnknownKeys(properties, path, [.. common]);
                return new RawNamedType(type, RawReferenceKind.Common, location);
        }
    }
}
