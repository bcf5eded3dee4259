namespace Mandate.Cedar.Schemas;

/// <summary>The resolved content of a schema, shared by entity typing, request checks and the validator.</summary>
internal sealed class SchemaModel(
    IReadOnlyDictionary<string, EntityTypeDefinition> entityTypes,
    IReadOnlyDictionary<EntityUid, ActionDefinition> actions,
    IReadOnlySet<string> actionEntityTypes,
    IReadOnlyDictionary<string, SchemaType> commonTypes,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> namespaceAnnotations)
{
    public IReadOnlyDictionary<string, EntityTypeDefinition> EntityTypes { get; } = entityTypes;

    public IReadOnlyDictionary<EntityUid, ActionDefinition> Actions { get; } = actions;

    /// <summary>The <c>NS::Action</c> types of every namespace that declares actions.</summary>
    public IReadOnlySet<string> ActionEntityTypes { get; } = actionEntityTypes;

    public IReadOnlyDictionary<string, SchemaType> CommonTypes { get; } = commonTypes;

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> NamespaceAnnotations { get; } = namespaceAnnotations;

    private Dictionary<EntityUid, HashSet<EntityUid>>? actionDescendants;

    public bool IsActionType(string type) => ActionEntityTypes.Contains(type);

    /// <summary>Every declared action transitively in <paramref name="action"/> (not itself); empty for undeclared ones.</summary>
    public IReadOnlySet<EntityUid> ActionDescendants(EntityUid action)
    {
        var map = actionDescendants;
        if (map is null)
        {
            map = Actions.Keys.ToDictionary(k => k, _ => new HashSet<EntityUid>());
            foreach (var definition in Actions.Values)
            {
                foreach (var ancestor in definition.Ancestors)
                {
                    map[ancestor].Add(definition.Uid);
                }
            }

            actionDescendants = map;
        }

        return map.TryGetValue(action, out var set) ? set : [];
    }

    /// <summary>True when an entity of type <paramref name="descendant"/> may be in one of type <paramref name="ancestor"/> (or is it).</summary>
    public bool CanBeDescendant(string descendant, string ancestor) =>
        string.Equals(descendant, ancestor, StringComparison.Ordinal)
        || (EntityTypes.TryGetValue(ancestor, out var definition) && definition.DescendantTypes.Contains(descendant));
}
