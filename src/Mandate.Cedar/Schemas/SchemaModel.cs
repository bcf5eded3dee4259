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

    public bool IsActionType(string type) => ActionEntityTypes.Contains(type);

    /// <summary>True when an entity of type <paramref name="descendant"/> may be in one of type <paramref name="ancestor"/> (or is it).</summary>
    public bool CanBeDescendant(string descendant, string ancestor) =>
        string.Equals(descendant, ancestor, StringComparison.Ordinal)
        || (EntityTypes.TryGetValue(ancestor, out var definition) && definition.DescendantTypes.Contains(descendant));
}
