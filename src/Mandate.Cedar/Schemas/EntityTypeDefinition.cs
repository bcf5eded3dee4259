namespace Mandate.Cedar.Schemas;

/// <summary>A declared entity type, with names fully qualified and common types inlined.</summary>
internal sealed class EntityTypeDefinition(
    string name,
    IReadOnlySet<string> memberOfTypes,
    RecordSchemaType attributes,
    SchemaType? tags,
    IReadOnlyList<string>? enumValues,
    IReadOnlyDictionary<string, string?> annotations)
{
    public string Name { get; } = name;

    /// <summary>The entity types an entity of this type may have as direct parents.</summary>
    public IReadOnlySet<string> MemberOfTypes { get; } = memberOfTypes;

    public RecordSchemaType Attributes { get; } = attributes;

    /// <summary>The type of every tag value, or null when entities of this type cannot carry tags.</summary>
    public SchemaType? Tags { get; } = tags;

    /// <summary>The only ids an entity of an enumerated type may have; null for ordinary types.</summary>
    public IReadOnlyList<string>? EnumValues { get; } = enumValues;

    public IReadOnlyDictionary<string, string?> Annotations { get; } = annotations;

    /// <summary>Entity types whose entities can be (transitively) in an entity of this type; filled by the builder.</summary>
    public IReadOnlySet<string> DescendantTypes { get; internal set; } = new HashSet<string>(StringComparer.Ordinal);
}
