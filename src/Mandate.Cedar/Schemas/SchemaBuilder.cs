using System.Runtime.CompilerServices;

namespace Mandate.Cedar.Schemas;

/// <summary>
/// Turns parsed namespaces into a resolved <see cref="SchemaModel"/>: qualifies every name, resolves type
/// references (common type before entity type, current namespace before the empty namespace, then the builtin
/// primitive and extension types, which <c>__cedar::</c> always reaches), inlines common types, checks the action
/// hierarchy, and precomputes the ancestor and descendant relations the validator needs.
/// </summary>
internal sealed class SchemaBuilder
{
    internal static readonly IReadOnlySet<string> ExtensionTypeNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "ipaddr", "decimal", "datetime", "duration",
    };

    // Names a common type may not take: they are keywords of the JSON schema format.
    private static readonly HashSet<string> ReservedCommonTypeNames = new(StringComparer.Ordinal)
    {
        "Bool", "Boolean", "Entity", "EntityOrCommon", "Extension", "Long", "Record", "Set", "String",
    };

    private readonly Dictionary<string, (RawCommonType Raw, string Namespace)> commonTypes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (RawEntityType Raw, string Namespace)> entityTypes = new(StringComparer.Ordinal);
    private readonly Dictionary<EntityUid, (RawAction Raw, string Namespace)> actions = [];
    private readonly HashSet<string> actionEntityTypes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaType> resolvedCommonTypes = new(StringComparer.Ordinal);
    private readonly HashSet<string> resolving = new(StringComparer.Ordinal);

    public static SchemaModel Build(IEnumerable<RawNamespace> namespaces) => new SchemaBuilder().Run([.. namespaces]);

    private static string Qualify(string ns, string name) => ns.Length == 0 ? name : ns + "::" + name;

    private static string ActionType(string ns) => Qualify(ns, "Action");

    private SchemaModel Run(List<RawNamespace> namespaces)
    {
        var namespaceAnnotations = new Dictionary<string, IReadOnlyDictionary<string, string?>>(StringComparer.Ordinal);
        foreach (var ns in namespaces)
        {
            if (ns.Annotations.Count > 0 || ns.Name.Length > 0)
            {
                namespaceAnnotations[ns.Name] = ns.Annotations;
            }

            foreach (var common in ns.CommonTypes)
            {
                if (ReservedCommonTypeNames.Contains(common.Name))
                {
                    throw new SchemaSyntaxException($"`{common.Name}` is a reserved type name and cannot name a common type", common.Location);
                }

                CheckDeclaredName(common.Name, common.Location);
                string name = Qualify(ns.Name, common.Name);
                if (!commonTypes.TryAdd(name, (common, ns.Name)))
                {
                    throw new SchemaSyntaxException($"common type `{name}` is declared twice", common.Location);
                }
            }

            foreach (var entity in ns.EntityTypes)
            {
                CheckDeclaredName(entity.Name, entity.Location);
                if (string.Equals(entity.Name, "Action", StringComparison.Ordinal))
                {
                    throw new SchemaSyntaxException("entity type `Action` cannot be declared: it is the type of the namespace's actions", entity.Location);
                }

                string name = Qualify(ns.Name, entity.Name);
                if (!entityTypes.TryAdd(name, (entity, ns.Name)))
                {
                    throw new SchemaSyntaxException($"entity type `{name}` is declared twice", entity.Location);
                }
            }

            foreach (var action in ns.Actions)
            {
                var uid = new EntityUid(ActionType(ns.Name), action.Name);
                if (!actions.TryAdd(uid, (action, ns.Name)))
                {
                    throw new SchemaSyntaxException($"action `{uid}` is declared twice", action.Location);
                }

                actionEntityTypes.Add(uid.Type);
            }
        }

        CheckShadowing();
        foreach (var name in commonTypes.Keys)
        {
            ResolveCommonType(name);
        }

        var entityDefinitions = new Dictionary<string, EntityTypeDefinition>(StringComparer.Ordinal);
        foreach (var (name, (raw, ns)) in entityTypes)
        {
            var memberOf = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (parent, location) in raw.MemberOfTypes)
            {
                memberOf.Add(ResolveEntityTypeName(parent, ns, location));
            }

            var attributes = RecordSchemaType.Empty;
            if (raw.Shape is not null)
            {
                attributes = Resolve(raw.Shape, ns) as RecordSchemaType
                    ?? throw new SchemaSyntaxException($"the shape of entity type `{name}` must be a record type", raw.Shape.Location);
            }

            // The reference does not resolve action entity types in tag types (nor in memberOfTypes and appliesTo).
            SchemaType? tags = raw.Tags is null ? null : Resolve(raw.Tags, ns, allowActionTypes: false);
            entityDefinitions[name] = new EntityTypeDefinition(name, memberOf, attributes, tags, raw.EnumValues, raw.Annotations);
        }

        var actionDefinitions = new Dictionary<EntityUid, ActionDefinition>();
        foreach (var (uid, (raw, ns)) in actions)
        {
            var parents = new List<EntityUid>();
            foreach (var reference in raw.MemberOf)
            {
                parents.Add(ResolveActionReference(reference, ns));
            }

            var principals = new List<string>();
            var resources = new List<string>();
            var context = RecordSchemaType.Empty;
            if (raw.AppliesTo is { } appliesTo)
            {
                foreach (var (type, location) in appliesTo.PrincipalTypes)
                {
                    string resolved = ResolveEntityTypeName(type, ns, location);
                    if (!principals.Contains(resolved, StringComparer.Ordinal))
                    {
                        principals.Add(resolved);
                    }
                }

                foreach (var (type, location) in appliesTo.ResourceTypes)
                {
                    string resolved = ResolveEntityTypeName(type, ns, location);
                    if (!resources.Contains(resolved, StringComparer.Ordinal))
                    {
                        resources.Add(resolved);
                    }
                }

                if (appliesTo.Context is not null)
                {
                    context = Resolve(appliesTo.Context, ns) as RecordSchemaType
                        ?? throw new SchemaSyntaxException($"the context of action `{uid}` must be a record type", appliesTo.Context.Location);
                }
            }

            actionDefinitions[uid] = new ActionDefinition(uid, parents, raw.AppliesTo is not null, principals, resources, context, raw.Annotations);
        }

        ComputeActionAncestors(actionDefinitions);
        ComputeDescendantTypes(entityDefinitions);
        return new SchemaModel(entityDefinitions, actionDefinitions, actionEntityTypes, resolvedCommonTypes, namespaceAnnotations);
    }

    /// <summary>A namespace may not declare a common or entity type whose name the empty namespace already declares (RFC 70).</summary>
    private void CheckShadowing()
    {
        IEnumerable<(string Name, string Namespace, SchemaLocation Location)> declarations =
            commonTypes.Select(c => (c.Key, c.Value.Namespace, c.Value.Raw.Location))
                .Concat(entityTypes.Select(e => (e.Key, e.Value.Namespace, e.Value.Raw.Location)));
        foreach (var (name, ns, location) in declarations)
        {
            if (ns.Length == 0)
            {
                continue;
            }

            string basename = name[(ns.Length + 2)..];
            if (commonTypes.ContainsKey(basename) || entityTypes.ContainsKey(basename))
            {
                throw new SchemaSyntaxException($"definition of `{name}` illegally shadows the existing definition of `{basename}`", location);
            }
        }
    }

    private static void CheckDeclaredName(string name, SchemaLocation location)
    {
        if (string.Equals(name, "__cedar", StringComparison.Ordinal))
        {
            throw new SchemaSyntaxException("`__cedar` is reserved and cannot name a declaration", location);
        }
    }

    private SchemaType ResolveCommonType(string name)
    {
        if (resolvedCommonTypes.TryGetValue(name, out var done))
        {
            return done;
        }

        var (raw, ns) = commonTypes[name];
        if (!resolving.Add(name))
        {
            throw new SchemaSyntaxException($"common type `{name}` is defined in terms of itself", raw.Location);
        }

        var type = Resolve(raw.Type, ns);
        resolving.Remove(name);
        resolvedCommonTypes[name] = type;
        return type;
    }

    private static IEnumerable<string> Candidates(string name, string ns)
    {
        if (!name.Contains("::", StringComparison.Ordinal) && ns.Length > 0)
        {
            yield return ns + "::" + name;
        }

        yield return name;
    }

    private static SchemaType? Builtin(string name) => name switch
    {
        "Bool" => SchemaType.Bool,
        "Long" => SchemaType.Long,
        "String" => SchemaType.String,
        _ when ExtensionTypeNames.Contains(name) => new ExtensionSchemaType(name),
        _ => null,
    };

    private SchemaType Resolve(RawType raw, string ns, bool allowActionTypes = true)
    {
        // Long chains of common types and deep records recurse; fail cleanly (caught by Schema) instead of overflowing.
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (raw)
        {
            case RawPrimitiveType p:
                return p.Primitive switch
                {
                    SchemaTypeKind.Bool => SchemaType.Bool,
                    SchemaTypeKind.Long => SchemaType.Long,
                    _ => SchemaType.String,
                };
            case RawExtensionType e:
                return ExtensionTypeNames.Contains(e.Name)
                    ? new ExtensionSchemaType(e.Name)
                    : throw new SchemaSyntaxException($"unknown extension type `{e.Name}`", e.Location);
            case RawSetType s:
                return new SetSchemaType(Resolve(s.Element, ns, allowActionTypes));
            case RawRecordType r:
                {
                    var attributes = new Dictionary<string, SchemaAttribute>(StringComparer.Ordinal);
                    foreach (var attribute in r.Attributes)
                    {
                        attributes[attribute.Name] = new SchemaAttribute(Resolve(attribute.Type, ns, allowActionTypes), attribute.Required, attribute.Annotations);
                    }

                    return new RecordSchemaType(attributes);
                }

            case RawNamedType n:
                return ResolveNamed(n, ns, allowActionTypes);
            default:
                throw new SchemaSyntaxException("unsupported type", raw.Location);
        }
    }

    private SchemaType ResolveNamed(RawNamedType named, string ns, bool allowActionTypes)
    {
        string name = named.Name;
        if (name.StartsWith("__cedar::", StringComparison.Ordinal))
        {
            return (named.Reference != RawReferenceKind.Entity ? Builtin(name["__cedar::".Length..]) : null)
                ?? throw new SchemaSyntaxException($"failed to resolve type `{name}`: `__cedar` holds only the builtin types", named.Location);
        }

        foreach (var candidate in Candidates(name, ns))
        {
            if (named.Reference != RawReferenceKind.Entity && commonTypes.ContainsKey(candidate))
            {
                return ResolveCommonType(candidate);
            }

            if (named.Reference != RawReferenceKind.Common && (entityTypes.ContainsKey(candidate) || (allowActionTypes && actionEntityTypes.Contains(candidate))))
            {
                return new EntitySchemaType(candidate);
            }
        }

        // Primitive and extension names act as common types of the empty namespace unless declared there.
        if (named.Reference != RawReferenceKind.Entity && !name.Contains("::", StringComparison.Ordinal)
            && !commonTypes.ContainsKey(name) && !entityTypes.ContainsKey(name) && Builtin(name) is { } builtin)
        {
            return builtin;
        }

        string what = named.Reference switch
        {
            RawReferenceKind.Entity => "an entity type",
            RawReferenceKind.Common => "a common type",
            _ => "a common or entity type",
        };
        throw new SchemaSyntaxException($"failed to resolve type `{name}`: it has not been declared as {what}", named.Location);
    }

    private string ResolveEntityTypeName(string name, string ns, SchemaLocation location) =>
        ((EntitySchemaType)ResolveNamed(new RawNamedType(name, RawReferenceKind.Entity, location), ns, allowActionTypes: false)).Name;

    private EntityUid ResolveActionReference(RawActionReference reference, string ns)
    {
        if (reference.Type is null)
        {
            var uid = new EntityUid(ActionType(ns), reference.Id);
            return actions.ContainsKey(uid)
                ? uid
                : throw new SchemaSyntaxException($"undeclared action `{uid}` used as a parent", reference.Location);
        }

        foreach (var candidate in Candidates(reference.Type, ns))
        {
            var uid = new EntityUid(candidate, reference.Id);
            if (actions.ContainsKey(uid))
            {
                return uid;
            }
        }

        throw new SchemaSyntaxException($"undeclared action `{reference.Type}::\"{reference.Id}\"` used as a parent", reference.Location);
    }

    private void ComputeActionAncestors(Dictionary<EntityUid, ActionDefinition> definitions)
    {
        foreach (var definition in definitions.Values)
        {
            var ancestors = new HashSet<EntityUid>();
            var stack = new Stack<EntityUid>(definition.Parents);
            while (stack.Count > 0)
            {
                var next = stack.Pop();
                if (next == definition.Uid)
                {
                    throw new SchemaSyntaxException($"action `{definition.Uid}` is in a cycle of the action hierarchy", actions[definition.Uid].Raw.Location);
                }

                if (ancestors.Add(next))
                {
                    foreach (var parent in definitions[next].Parents)
                    {
                        stack.Push(parent);
                    }
                }
            }

            definition.Ancestors = ancestors;
        }
    }

    private static void ComputeDescendantTypes(Dictionary<string, EntityTypeDefinition> definitions)
    {
        var descendants = definitions.Keys.ToDictionary(k => k, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var definition in definitions.Values)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var stack = new Stack<string>(definition.MemberOfTypes);
            while (stack.Count > 0)
            {
                string ancestor = stack.Pop();
                if (!seen.Add(ancestor) || !definitions.TryGetValue(ancestor, out var ancestorDefinition))
                {
                    continue;
                }

                descendants[ancestor].Add(definition.Name);
                foreach (var next in ancestorDefinition.MemberOfTypes)
                {
                    stack.Push(next);
                }
            }
        }

        foreach (var (name, set) in descendants)
        {
            definitions[name].DescendantTypes = set;
        }
    }
}
