namespace Mandate.Cedar.Schemas;

/// <summary>A declared action: its place in the action hierarchy and the requests it applies to.</summary>
internal sealed class ActionDefinition(
    EntityUid uid,
    IReadOnlyList<EntityUid> parents,
    bool hasAppliesTo,
    IReadOnlyList<string> principalTypes,
    IReadOnlyList<string> resourceTypes,
    RecordSchemaType context,
    IReadOnlyDictionary<string, string?> annotations)
{
    public EntityUid Uid { get; } = uid;

    public IReadOnlyList<EntityUid> Parents { get; } = parents;

    /// <summary>False when the declaration has no <c>appliesTo</c>: then the action applies to no request.</summary>
    public bool HasAppliesTo { get; } = hasAppliesTo;

    public IReadOnlyList<string> PrincipalTypes { get; } = principalTypes;

    public IReadOnlyList<string> ResourceTypes { get; } = resourceTypes;

    public RecordSchemaType Context { get; } = context;

    public IReadOnlyDictionary<string, string?> Annotations { get; } = annotations;

    /// <summary>Every action this one is transitively in (not itself); filled by the builder.</summary>
    public IReadOnlySet<EntityUid> Ancestors { get; internal set; } = new HashSet<EntityUid>();

    /// <summary>True when requests with this action can exist (at least one principal and one resource type).</summary>
    public bool AppliesToAnything => PrincipalTypes.Count > 0 && ResourceTypes.Count > 0;
}
