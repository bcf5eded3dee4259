namespace Mandate.Cedar.Schemas;

/// <summary>
/// Checks data against a schema: entities (declared type, enum ids, attributes, parents, tags) and requests
/// (declared action, principal and resource types it applies to, context shape). Every problem becomes one message.
/// </summary>
internal static class SchemaConformance
{
    public static List<string> CheckEntities(SchemaModel model, IEnumerable<Entity> entities)
    {
        var problems = new List<string>();
        foreach (var entity in entities)
        {
            CheckEntity(model, entity, problems);
        }

        return problems;
    }

    private static void CheckEntity(SchemaModel model, Entity entity, List<string> problems)
    {
        var uid = entity.Uid;
        if (SchemaNames.IsActionType(uid.Type) && !model.EntityTypes.ContainsKey(uid.Type))
        {
            if (!model.Actions.TryGetValue(uid, out var action))
            {
                problems.Add($"entity `{uid}`: action is not declared in the schema");
                return;
            }

            var declared = action.Ancestors;
            foreach (var parent in entity.Parents)
            {
                if (!declared.Contains(parent))
                {
                    problems.Add($"entity `{uid}`: the schema does not declare it in `{parent}`");
                }
            }

            if (entity.Attributes.Count > 0 || entity.Tags.Count > 0)
            {
                problems.Add($"entity `{uid}`: actions cannot have attributes or tags");
            }

            return;
        }

        if (!model.EntityTypes.TryGetValue(uid.Type, out var definition))
        {
            problems.Add($"entity `{uid}`: entity type `{uid.Type}` is not declared in the schema");
            return;
        }

        if (definition.EnumValues is { } values && !values.Contains(uid.Id, StringComparer.Ordinal))
        {
            problems.Add($"entity `{uid}`: `{uid.Type}` is an enumerated type and \"{uid.Id}\" is not one of its ids");
        }

        CheckRecord(model, definition.Attributes, entity.Attributes, $"entity `{uid}`", problems);
        foreach (var parent in entity.Parents)
        {
            CheckReference(model, parent, $"entity `{uid}`, parent", problems);

            // Any ancestor type is allowed as a direct parent: the schema's memberOfTypes relation is closed transitively.
            if (!model.EntityTypes.TryGetValue(parent.Type, out var parentDefinition) || !parentDefinition.DescendantTypes.Contains(uid.Type))
            {
                problems.Add($"entity `{uid}`: `{uid.Type}` entities cannot be in `{parent}` (a `{parent.Type}`)");
            }
        }

        if (entity.Tags.Count > 0)
        {
            if (definition.Tags is null)
            {
                problems.Add($"entity `{uid}`: `{uid.Type}` entities cannot have tags");
            }
            else
            {
                foreach (var (tag, value) in entity.Tags)
                {
                    CheckValue(model, definition.Tags, value, $"entity `{uid}`, tag `{tag}`", problems);
                }
            }
        }
    }

    public static List<string> CheckRequest(SchemaModel model, Request request)
    {
        var problems = new List<string>();
        if (!model.Actions.TryGetValue(request.Action, out var action))
        {
            problems.Add($"action `{request.Action}` is not declared in the schema");
            return problems;
        }

        CheckRequestEntity(model, request.Principal, action.PrincipalTypes, "principal", action, problems);
        CheckRequestEntity(model, request.Resource, action.ResourceTypes, "resource", action, problems);
        CheckRecord(model, action.Context, request.Context, "context", problems);
        return problems;
    }

    private static void CheckRequestEntity(SchemaModel model, EntityUid uid, IReadOnlyList<string> allowed, string role, ActionDefinition action, List<string> problems)
    {
        if (!allowed.Contains(uid.Type, StringComparer.Ordinal))
        {
            string list = allowed.Count == 0 ? "none" : string.Join(", ", allowed.Select(t => $"`{t}`"));
            problems.Add($"{role} `{uid}`: action `{action.Uid}` does not apply to {role}s of type `{uid.Type}` (allowed: {list})");
            return;
        }

        if (model.EntityTypes.TryGetValue(uid.Type, out var definition) && definition.EnumValues is { } values
            && !values.Contains(uid.Id, StringComparer.Ordinal))
        {
            problems.Add($"{role} `{uid}`: `{uid.Type}` is an enumerated type and \"{uid.Id}\" is not one of its ids");
        }
    }

    private static void CheckRecord(SchemaModel model, RecordSchemaType type, IReadOnlyDictionary<string, CedarValue> attributes, string where, List<string> problems)
    {
        foreach (var (name, attribute) in type.Attributes)
        {
            if (attributes.TryGetValue(name, out var value))
            {
                CheckValue(model, attribute.Type, value, $"{where}, attribute `{name}`", problems);
            }
            else if (attribute.Required)
            {
                problems.Add($"{where}: required attribute `{name}` is missing");
            }
        }

        foreach (var name in attributes.Keys)
        {
            if (!type.Attributes.ContainsKey(name))
            {
                problems.Add($"{where}: attribute `{name}` is not declared in the schema");
            }
        }
    }

    /// <summary>An entity reference must name a declared action if it is one, and a listed id if its type is enumerated.</summary>
    private static void CheckReference(SchemaModel model, EntityUid reference, string where, List<string> problems)
    {
        if (model.EntityTypes.TryGetValue(reference.Type, out var definition) && definition.EnumValues is { } values
            && !values.Contains(reference.Id, StringComparer.Ordinal))
        {
            problems.Add($"{where}: `{reference}` is not a valid entity: `{reference.Type}` is an enumerated type and \"{reference.Id}\" is not one of its ids");
        }

        if (SchemaNames.IsActionType(reference.Type) && !model.Actions.ContainsKey(reference))
        {
            problems.Add($"{where}: `{reference}` is not an action declared in the schema");
        }
    }

    private static void CheckValue(SchemaModel model, SchemaType type, CedarValue value, string where, List<string> problems)
    {
        switch (type)
        {
            case EntitySchemaType entity:
                if (value.Kind != CedarValueKind.Entity)
                {
                    problems.Add($"{where}: expected an entity of type `{entity.Name}` but found {Describe(value)}");
                }
                else if (!string.Equals(value.AsEntity().Type, entity.Name, StringComparison.Ordinal))
                {
                    problems.Add($"{where}: expected an entity of type `{entity.Name}` but found `{value.AsEntity()}`");
                }
                else
                {
                    CheckReference(model, value.AsEntity(), where, problems);
                }

                return;
            case SetSchemaType set:
                if (value.Kind != CedarValueKind.Set)
                {
                    problems.Add($"{where}: expected a set but found {Describe(value)}");
                    return;
                }

                foreach (var item in value.AsSet())
                {
                    CheckValue(model, set.Element, item, where + " (set element)", problems);
                }

                return;
            case RecordSchemaType record:
                if (value.Kind != CedarValueKind.Record)
                {
                    problems.Add($"{where}: expected a record but found {Describe(value)}");
                    return;
                }

                CheckRecord(model, record, value.AsRecord(), where, problems);
                return;
            case ExtensionSchemaType extension:
                {
                    var expected = extension.Name switch
                    {
                        "ipaddr" => CedarValueKind.IpAddr,
                        "decimal" => CedarValueKind.Decimal,
                        "datetime" => CedarValueKind.Datetime,
                        _ => CedarValueKind.Duration,
                    };
                    if (value.Kind != expected)
                    {
                        problems.Add($"{where}: expected a value of type {extension.Name} but found {Describe(value)}");
                    }

                    return;
                }

            default:
                {
                    var expected = type.Kind switch
                    {
                        SchemaTypeKind.Bool => CedarValueKind.Bool,
                        SchemaTypeKind.Long => CedarValueKind.Long,
                        _ => CedarValueKind.String,
                    };
                    if (value.Kind != expected)
                    {
                        problems.Add($"{where}: expected {type} but found {Describe(value)}");
                    }

                    return;
                }
        }
    }

    private static string Describe(CedarValue value) => value.Kind switch
    {
        CedarValueKind.Set or CedarValueKind.Record => $"a {value.Kind.ToString().ToLowerInvariant()}",
        _ => $"`{value}`",
    };
}
