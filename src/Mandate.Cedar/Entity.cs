namespace Mandate.Cedar;

/// <summary>An entity: its uid, attributes, direct parents and tags. Immutable.</summary>
public sealed class Entity
{
    private static readonly IReadOnlyDictionary<string, CedarValue> NoValues = new Dictionary<string, CedarValue>(StringComparer.Ordinal);

    public Entity(
        EntityUid uid,
        IReadOnlyDictionary<string, CedarValue>? attributes = null,
        IEnumerable<EntityUid>? parents = null,
        IReadOnlyDictionary<string, CedarValue>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(uid.Type);
        ArgumentNullException.ThrowIfNull(uid.Id);
        Uid = uid;
        Attributes = Copy(attributes);
        Parents = parents is null ? [] : parents.Distinct().ToArray();
        Tags = Copy(tags);
    }

    public EntityUid Uid { get; }

    public IReadOnlyDictionary<string, CedarValue> Attributes { get; }

    public IReadOnlyList<EntityUid> Parents { get; }

    public IReadOnlyDictionary<string, CedarValue> Tags { get; }

    public override string ToString() => Uid.ToString();

    private static IReadOnlyDictionary<string, CedarValue> Copy(IReadOnlyDictionary<string, CedarValue>? source)
    {
        if (source is null || source.Count == 0)
        {
            return NoValues;
        }

        var copy = new Dictionary<string, CedarValue>(source.Count, StringComparer.Ordinal);
        foreach (var (key, value) in source)
        {
            copy[key] = value ?? throw new ArgumentException($"The attribute or tag '{key}' has no value.", nameof(source));
        }

        return copy;
    }
}
