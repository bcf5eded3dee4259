namespace Mandate.Cedar.Schemas;

// The unresolved form both schema syntaxes parse into. Names here are exactly as written; SchemaBuilder
// qualifies and resolves them, so the two parsers share every semantic rule.

/// <summary>Where a schema element was written: line/column for the Cedar syntax, a JSON path for the JSON format.</summary>
internal readonly record struct SchemaLocation(int Line, int Column, string? Path)
{
    public override string ToString() => Path ?? $"{Line}:{Column}";
}

/// <summary>Which kinds of declaration a type name may refer to.</summary>
internal enum RawReferenceKind
{
    EntityOrCommon,
    Common,
    Entity,
}

internal abstract record RawType(SchemaLocation Location);

internal sealed record RawNamedType(string Name, RawReferenceKind Reference, SchemaLocation Location) : RawType(Location);

internal sealed record RawPrimitiveType(SchemaTypeKind Primitive, SchemaLocation Location) : RawType(Location);

internal sealed record RawExtensionType(string Name, SchemaLocation Location) : RawType(Location);

internal sealed record RawSetType(RawType Element, SchemaLocation Location) : RawType(Location);

internal sealed record RawAttribute(
    string Name,
    RawType Type,
    bool Required,
    IReadOnlyDictionary<string, string?> Annotations,
    SchemaLocation Location);

internal sealed record RawRecordType(IReadOnlyList<RawAttribute> Attributes, SchemaLocation Location) : RawType(Location);

internal sealed record RawCommonType(string Name, RawType Type, IReadOnlyDictionary<string, string?> Annotations, SchemaLocation Location);

internal sealed record RawEntityType(
    string Name,
    IReadOnlyList<(string Name, SchemaLocation Location)> MemberOfTypes,
    RawType? Shape,
    RawType? Tags,
    IReadOnlyList<string>? EnumValues,
    IReadOnlyDictionary<string, string?> Annotations,
    SchemaLocation Location);

/// <summary>A reference to an action: <c>Type</c> null means the declaring namespace's <c>Action</c> type.</summary>
internal sealed record RawActionReference(string? Type, string Id, SchemaLocation Location);

internal sealed record RawAppliesTo(
    IReadOnlyList<(string Name, SchemaLocation Location)> PrincipalTypes,
    IReadOnlyList<(string Name, SchemaLocation Location)> ResourceTypes,
    RawType? Context);

internal sealed record RawAction(
    string Name,
    IReadOnlyList<RawActionReference> MemberOf,
    RawAppliesTo? AppliesTo,
    IReadOnlyDictionary<string, string?> Annotations,
    SchemaLocation Location);

internal sealed class RawNamespace(string name, SchemaLocation location)
{
    /// <summary>The namespace path, empty for the unnamed namespace.</summary>
    public string Name { get; } = name;

    public SchemaLocation Location { get; } = location;

    public Dictionary<string, string?> Annotations { get; } = new(StringComparer.Ordinal);

    public List<RawCommonType> CommonTypes { get; } = [];

    public List<RawEntityType> EntityTypes { get; } = [];

    public List<RawAction> Actions { get; } = [];
}
