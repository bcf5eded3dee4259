using Mandate.Cedar.Json;

namespace Mandate.Cedar.Schemas;

/// <summary>What kind of value a resolved schema type describes.</summary>
internal enum SchemaTypeKind
{
    Bool,
    Long,
    String,
    Entity,
    Set,
    Record,
    Extension,
}

/// <summary>
/// A fully resolved schema type: common types are inlined and every name is fully qualified, so consumers
/// (entity typing, request checks, the validator) never look names up again.
/// </summary>
internal abstract class SchemaType : IValueTypeHint
{
    public abstract SchemaTypeKind Kind { get; }

    // The hint view lets schema-directed JSON parsing (entities, contexts) ask what each value should be.
    public ValueTypeHintKind HintKind => Kind switch
    {
        SchemaTypeKind.Bool => ValueTypeHintKind.Bool,
        SchemaTypeKind.Long => ValueTypeHintKind.Long,
        SchemaTypeKind.String => ValueTypeHintKind.String,
        SchemaTypeKind.Entity => ValueTypeHintKind.Entity,
        SchemaTypeKind.Set => ValueTypeHintKind.Set,
        SchemaTypeKind.Record => ValueTypeHintKind.Record,
        _ => ValueTypeHintKind.Extension,
    };

    public string? HintName => this switch
    {
        EntitySchemaType e => e.Name,
        ExtensionSchemaType x => x.Name,
        _ => null,
    };

    public IValueTypeHint? HintElement => (this as SetSchemaType)?.Element;

    public IValueTypeHint? HintAttribute(string name) =>
        this is RecordSchemaType r && r.Attributes.TryGetValue(name, out var attribute) ? attribute.Type : null;

    public static SchemaType Bool { get; } = new PrimitiveSchemaType(SchemaTypeKind.Bool);

    public static SchemaType Long { get; } = new PrimitiveSchemaType(SchemaTypeKind.Long);

    public static SchemaType String { get; } = new PrimitiveSchemaType(SchemaTypeKind.String);

    /// <summary>Structural equality, used to compare schemas parsed from the two syntaxes.</summary>
    public abstract bool IsEquivalentTo(SchemaType other);

    private sealed class PrimitiveSchemaType(SchemaTypeKind kind) : SchemaType
    {
        public override SchemaTypeKind Kind => kind;

        public override bool IsEquivalentTo(SchemaType other) => other.Kind == kind;

        public override string ToString() => kind switch
        {
            SchemaTypeKind.Bool => "Bool",
            SchemaTypeKind.Long => "Long",
            _ => "String",
        };
    }
}

internal sealed class EntitySchemaType(string name) : SchemaType
{
    public string Name { get; } = name;

    public override SchemaTypeKind Kind => SchemaTypeKind.Entity;

    public override bool IsEquivalentTo(SchemaType other) =>
        other is EntitySchemaType e && string.Equals(e.Name, Name, StringComparison.Ordinal);

    public override string ToString() => Name;
}

internal sealed class SetSchemaType(SchemaType element) : SchemaType
{
    public SchemaType Element { get; } = element;

    public override SchemaTypeKind Kind => SchemaTypeKind.Set;

    public override bool IsEquivalentTo(SchemaType other) => other is SetSchemaType s && s.Element.IsEquivalentTo(Element);

    public override string ToString() => $"Set<{Element}>";
}

internal sealed class ExtensionSchemaType(string name) : SchemaType
{
    public string Name { get; } = name;

    public override SchemaTypeKind Kind => SchemaTypeKind.Extension;

    public override bool IsEquivalentTo(SchemaType other) =>
        other is ExtensionSchemaType e && string.Equals(e.Name, Name, StringComparison.Ordinal);

    public override string ToString() => Name;
}

/// <summary>An attribute of a record or entity shape.</summary>
internal sealed record SchemaAttribute(SchemaType Type, bool Required, IReadOnlyDictionary<string, string?> Annotations);

internal sealed class RecordSchemaType(IReadOnlyDictionary<string, SchemaAttribute> attributes) : SchemaType
{
    public static RecordSchemaType Empty { get; } = new(new Dictionary<string, SchemaAttribute>(StringComparer.Ordinal));

    public IReadOnlyDictionary<string, SchemaAttribute> Attributes { get; } = attributes;

    public override SchemaTypeKind Kind => SchemaTypeKind.Record;

    public override bool IsEquivalentTo(SchemaType other)
    {
        if (other is not RecordSchemaType r || r.Attributes.Count != Attributes.Count)
        {
            return false;
        }

        foreach (var (name, attribute) in Attributes)
        {
            if (!r.Attributes.TryGetValue(name, out var theirs) || theirs.Required != attribute.Required
                || !theirs.Type.IsEquivalentTo(attribute.Type))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() =>
        "{" + string.Join(", ", Attributes.Select(a => $"{a.Key}{(a.Value.Required ? "" : "?")}: {a.Value.Type}")) + "}";
}
