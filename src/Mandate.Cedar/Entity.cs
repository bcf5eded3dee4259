namespace Mandate.Cedar;

/// <summary>An entity: its uid, attributes, direct parents and tags. Immutable.</summary>
public sealed class Entity
{
    private static readonly IReadOnlyDictionary<string, CedarValue> NoValues = new Dictionary<string, CedarValue>(StringComparer.Ordinal);

    /// <summary>An entity; the attribute and tag maps are copied and repeated parents kept once.</summary>
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

    /// <summary>The entity's type and id.</summary>
    public EntityUid Uid { get; }

    /// <summary>The entity's attributes, read with <c>.</c> and <c>has</c> in policies.</summary>
    public IReadOnlyDictionary<string, CedarValue> Attributes { get; }

    /// <summary>The entities this one is directly <c>in</c>; ancestry is their transitive closure.</summary>
    public IReadOnlyList<EntityUid> Parents { get; }

    /// <summary>The entity's tags, read with <c>getTag</c> and <c>hasTag</c> in policies.</summary>
    public IReadOnlyDictionary<string, CedarValue> Tags { get; }

    /// <summary>The uid as Cedar text, for example <c>User::"alice"</c>.</summary>
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
