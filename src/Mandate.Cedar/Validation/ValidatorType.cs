using Mandate.Cedar.Schemas;

namespace Mandate.Cedar.Validation;

internal enum BoolKind
{
    Any,
    True,
    False,
}

/// <summary>
/// The typechecker's types. Richer than schema types: booleans can be known to be true or false (which lets the
/// checker see that a branch is dead), an entity type can be a set of possible entity types, records can be open,
/// and <see cref="Never"/> types an expression that cannot produce a value.
/// </summary>
internal abstract class ValidatorType : IEquatable<ValidatorType>
{
    public static readonly ValidatorType Never = new NeverType();
    public static readonly BoolType AnyBool = new(BoolKind.Any);
    public static readonly BoolType True = new(BoolKind.True);
    public static readonly BoolType False = new(BoolKind.False);
    public static readonly ValidatorType Long = new LongType();
    public static readonly ValidatorType String = new StringType();
    public static readonly EntityType AnyEntity = new(null);
    public static readonly SetType AnySet = new(null);
    public static readonly RecordType AnyRecord = new(new Dictionary<string, AttributeType>(StringComparer.Ordinal), open: true);

    public static BoolType Singleton(bool value) => value ? True : False;

    public static EntityType Entity(string type) => new(new SortedSet<string>(StringComparer.Ordinal) { type });

    public static ValidatorType FromSchema(SchemaType type) => type switch
    {
        EntitySchemaType e => Entity(e.Name),
        SetSchemaType s => new SetType(FromSchema(s.Element)),
        RecordSchemaType r => FromSchema(r),
        ExtensionSchemaType x => new ExtensionType(x.Name),
        _ => type.Kind switch
        {
            SchemaTypeKind.Bool => AnyBool,
            SchemaTypeKind.Long => Long,
            _ => String,
        },
    };

    public static RecordType FromSchema(RecordSchemaType record)
    {
        var attributes = new Dictionary<string, AttributeType>(StringComparer.Ordinal);
        foreach (var (name, attribute) in record.Attributes)
        {
            attributes[name] = new AttributeType(FromSchema(attribute.Type), attribute.Required);
        }

        return new RecordType(attributes, open: false);
    }

    public abstract bool Equals(ValidatorType? other);

    public override bool Equals(object? obj) => obj is ValidatorType t && Equals(t);

    public abstract override int GetHashCode();

    private sealed class NeverType : ValidatorType
    {
        public override bool Equals(ValidatorType? other) => other is NeverType;

        public override int GetHashCode() => 1;

        public override string ToString() => "Never";
    }

    private sealed class LongType : ValidatorType
    {
        public override bool Equals(ValidatorType? other) => other is LongType;

        public override int GetHashCode() => 2;

        public override string ToString() => "Long";
    }

    private sealed class StringType : ValidatorType
    {
        public override bool Equals(ValidatorType? other) => other is StringType;

        public override int GetHashCode() => 3;

        public override string ToString() => "String";
    }
}

internal sealed class BoolType(BoolKind kind) : ValidatorType
{
    public BoolKind Kind { get; } = kind;

    public override bool Equals(ValidatorType? other) => other is BoolType b && b.Kind == Kind;

    public override int GetHashCode() => 10 + (int)Kind;

    public override string ToString() => Kind switch { BoolKind.True => "True", BoolKind.False => "False", _ => "Bool" };
}

/// <summary>An entity whose type is one of <see cref="Types"/>; null means any entity type.</summary>
internal sealed class EntityType(SortedSet<string>? types) : ValidatorType
{
    public SortedSet<string>? Types { get; } = types;

    public bool IsAny => Types is null;

    public string? Single => Types is { Count: 1 } ? Types.Min : null;

    public override bool Equals(ValidatorType? other) =>
        other is EntityType e && (Types is null ? e.Types is null : e.Types is not null && Types.SetEquals(e.Types));

    public override int GetHashCode() => Types is null ? 20 : Types.Aggregate(21, (h, t) => h ^ StringComparer.Ordinal.GetHashCode(t));

    public override string ToString() => Types is null ? "Entity" : string.Join(" | ", Types);
}

/// <summary>A set; <see cref="Element"/> null means the element type is unknown (any set).</summary>
internal sealed class SetType(ValidatorType? element) : ValidatorType
{
    public ValidatorType? Element { get; } = element;

    public override bool Equals(ValidatorType? other) =>
        other is SetType s && (Element is null ? s.Element is null : s.Element is not null && Element.Equals(s.Element));

    public override int GetHashCode() => 30 ^ (Element?.GetHashCode() ?? 0);

    public override string ToString() => Element is null ? "Set" : $"Set<{Element}>";
}

internal sealed record AttributeType(ValidatorType Type, bool Required);

internal sealed class RecordType(IReadOnlyDictionary<string, AttributeType> attributes, bool open) : ValidatorType
{
    public IReadOnlyDictionary<string, AttributeType> Attributes { get; } = attributes;

    public bool Open { get; } = open;

    public override bool Equals(ValidatorType? other)
    {
        if (other is not RecordType r || r.Open != Open || r.Attributes.Count != Attributes.Count)
        {
            return false;
        }

        foreach (var (name, attribute) in Attributes)
        {
            if (!r.Attributes.TryGetValue(name, out var theirs) || theirs.Required != attribute.Required || !theirs.Type.Equals(attribute.Type))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode() => Attributes.Keys.Aggregate(40 + (Open ? 1 : 0), (h, k) => h ^ StringComparer.Ordinal.GetHashCode(k));

    public override string ToString() =>
        "{" + string.Join(", ", Attributes.Select(a => $"{a.Key}{(a.Value.Required ? "" : "?")}: {a.Value.Type}")) + (Open ? ", ..." : "") + "}";
}

internal sealed class ExtensionType(string name) : ValidatorType
{
    public string Name { get; } = name;

    public override bool Equals(ValidatorType? other) => other is ExtensionType x && string.Equals(x.Name, Name, StringComparison.Ordinal);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    public override string ToString() => Name;
}
