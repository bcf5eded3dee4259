using System.Text;
using System.Text.Json;

namespace Mandate.Cedar.Values;

/// <summary>A set: distinct items in first-seen order; a hash set answers membership once the set is not tiny.</summary>
internal sealed class SetValue : CedarValue
{
    private const int LinearScanLimit = 8;
    public static readonly SetValue Empty = new([]);

    private readonly CedarValue[] items;
    private readonly HashSet<CedarValue>? lookup;
    private HashSet<EntityUid>? entityUids;
    private int hash;

    private SetValue(CedarValue[] distinctItems)
    {
        items = distinctItems;
        if (items.Length > LinearScanLimit)
        {
            lookup = new HashSet<CedarValue>(items);
        }

        FirstNonEntity = Array.Find(items, item => item is not EntityValue);
    }

    /// <summary>The first item that is not an entity reference (for <c>in</c>'s type error), or null.</summary>
    public CedarValue? FirstNonEntity { get; }

    /// <summary>
    /// The uids of a set of entities, built on first use: <c>e in set</c> on a large set checks e and its ancestors
    /// against it instead of walking the set, so its cost does not grow with the set.
    /// </summary>
    public HashSet<EntityUid> EntityUids
    {
        get
        {
            if (entityUids is null)
            {
                var uids = new HashSet<EntityUid>(items.Length);
                foreach (var item in items)
                {
                    if (item is EntityValue entity)
                    {
                        uids.Add(entity.Uid);
                    }
                }

                entityUids = uids;
            }

            return entityUids;
        }
    }

    public IReadOnlyList<CedarValue> Items => items;

    public int Count => items.Length;

    public override CedarValueKind Kind => CedarValueKind.Set;

    public static SetValue Of(IEnumerable<CedarValue> values)
    {
        var distinct = new List<CedarValue>();
        HashSet<CedarValue>? seen = null;
        foreach (var value in values)
        {
            ArgumentNullException.ThrowIfNull(value);
            if (distinct.Count < LinearScanLimit && seen is null)
            {
                if (!distinct.Contains(value))
                {
                    distinct.Add(value);
                }

                if (distinct.Count == LinearScanLimit)
                {
                    seen = new HashSet<CedarValue>(distinct);
                }
            }
            else if (seen!.Add(value))
            {
                distinct.Add(value);
            }
        }

        return distinct.Count == 0 ? Empty : new SetValue(distinct.ToArray());
    }

    public bool Contains(CedarValue value)
    {
        if (lookup is not null)
        {
            return lookup.Contains(value);
        }

        foreach (var item in items)
        {
            if (item.Equals(value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when every item of <paramref name="other"/> is in this set.</summary>
    public bool ContainsAll(SetValue other)
    {
        foreach (var item in other.items)
        {
            if (!Contains(item))
            {
                return false;
            }
        }

        return true;
    }

    public bool ContainsAny(SetValue other)
    {
        var (small, large) = other.Count <= Count ? (other, this) : (this, other);
        foreach (var item in small.items)
        {
            if (large.Contains(item))
            {
                return true;
            }
        }

        return false;
    }

    public override bool Equals(CedarValue? other) =>
        other is SetValue s && (ReferenceEquals(s, this) || (s.Count == Count && ContainsAll(s)));

    public override int GetHashCode()
    {
        if (hash == 0)
        {
            var h = items.Length;
            foreach (var item in items)
            {
                h ^= item.GetHashCode(); // order-independent
            }

            hash = h == 0 ? 1 : h;
        }

        return hash;
    }

    internal override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var item in items)
        {
            item.WriteJson(writer);
        }

        writer.WriteEndArray();
    }

    internal override void AppendCedar(StringBuilder builder)
    {
        builder.Append('[');
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            items[i].AppendCedar(builder);
        }

        builder.Append(']');
    }
}
