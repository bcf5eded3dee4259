using System.Collections;
using Mandate.Cedar.Json;

namespace Mandate.Cedar;

/// <summary>
/// An immutable entity store. The hierarchy is indexed once, when the store is built, in near-linear time and memory
/// (see <see cref="AncestorSet"/>), so <c>in</c> is a hash lookup and an interval check per anchor. <see cref="WithOverlay"/> adds request-scoped entities without copying the base store.
/// </summary>
public sealed class Entities : IEnumerable<Entity>
{
    private readonly Dictionary<EntityUid, StoredEntity> entities;
    private readonly Entities? baseStore;

    // Entities that some other entity names as a parent: replacing one in an overlay can change other entities' ancestors.
    private readonly HashSet<EntityUid> parentsInUse;

    private Entities(Dictionary<EntityUid, StoredEntity> entities, Entities? baseStore, HashSet<EntityUid> parentsInUse)
    {
        this.entities = entities;
        this.baseStore = baseStore;
        this.parentsInUse = parentsInUse;
        // O(overlay), not O(base): an overlay is built per decision.
        Count = baseStore is null ? entities.Count : baseStore.Count + entities.Keys.Count(k => !baseStore.entities.ContainsKey(k));
    }

    /// <summary>A store with no entities.</summary>
    public static Entities Empty { get; } = new([], null, []);

    /// <summary>How many entities the store holds (an overlay's replacements counted once).</summary>
    public int Count { get; }

    /// <summary>Builds a store; throws <see cref="CedarException"/> when a uid appears twice.</summary>
    public static Entities Create(IEnumerable<Entity> entities)
    {
        ArgumentNullException.ThrowIfNull(entities);
        var map = new Dictionary<EntityUid, Entity>();
        foreach (var entity in entities)
        {
            if (!map.TryAdd(entity.Uid, entity))
            {
                throw new CedarException($"duplicate entity {entity.Uid}");
            }
        }

        return Build(map);
    }

    /// <summary>
    /// Parses Cedar's entities JSON (an array of <c>{"uid", "attrs", "parents", "tags"}</c>). With a schema, attribute
    /// values are typed by it (extension strings, implicit entity references) and the schema's action entities are added.
    /// Throws <see cref="CedarException"/> with a precise message on malformed input.
    /// </summary>
    public static Entities ParseJson(string json, Schema? schema = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var resolver = schema?.TypeResolver;
        var parsed = CedarJsonReader.ReadEntities(json, resolver);
        var map = new Dictionary<EntityUid, Entity>();
        foreach (var entity in parsed)
        {
            if (!map.TryAdd(entity.Uid, entity))
            {
                throw new CedarException($"duplicate entity {entity.Uid} in the entities JSON");
            }
        }

        if (resolver is not null)
        {
            foreach (var action in resolver.ActionEntities)
            {
                // The schema's action hierarchy is authoritative; an action entity in the data adds nothing new.
                map[action.Uid] = action;
            }
        }

        return Build(map);
    }

    /// <summary>
    /// A store that sees <paramref name="overlay"/> on top of this one (overlay entities replace base entities with the
    /// same uid). Cost is proportional to the overlay unless it changes the parents of an entity the base store uses as a parent.
    /// </summary>
    public Entities WithOverlay(IEnumerable<Entity> overlay)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        var added = new Dictionary<EntityUid, Entity>();
        foreach (var entity in overlay)
        {
            added[entity.Uid] = entity;
        }

        if (added.Count == 0)
        {
            return this;
        }

        var root = baseStore ?? this;
        var needsRebuild = baseStore is not null;
        foreach (var entity in added.Values)
        {
            // An entity others name as a parent changes their ancestors when its own parents change (a parent that
            // was missing from the base store counts as having none).
            IReadOnlyList<EntityUid> before = root.entities.TryGetValue(entity.Uid, out var existing) ? existing.Entity.Parents : [];
            if (root.parentsInUse.Contains(entity.Uid) && !before.ToHashSet().SetEquals(entity.Parents))
            {
                needsRebuild = true;
                break;
            }
        }

        if (needsRebuild)
        {
            var all = new Dictionary<EntityUid, Entity>();
            foreach (var entity in this)
            {
                all[entity.Uid] = entity;
            }

            foreach (var entity in added.Values)
            {
                all[entity.Uid] = entity;
            }

            return Build(all);
        }

        var stored = new Dictionary<EntityUid, StoredEntity>(added.Count);
        foreach (var entity in added.Values)
        {
            stored[entity.Uid] = new StoredEntity(entity, AncestorSet.Empty);
        }

        foreach (var uid in added.Keys)
        {
            stored[uid] = stored[uid] with { Ancestors = OverlayAncestors(uid, added, root) };
        }

        return new Entities(stored, root, root.parentsInUse);
    }

    /// <summary>Finds the entity with <paramref name="uid"/>, looking in an overlay before its base store.</summary>
    public bool TryGet(EntityUid uid, out Entity entity)
    {
        if (TryGetStored(uid, out var stored))
        {
            entity = stored.Entity;
            return true;
        }

        entity = null!;
        return false;
    }

    /// <summary>Every entity in the store, an overlay's entities first.</summary>
    public IEnumerator<Entity> GetEnumerator()
    {
        foreach (var stored in entities.Values)
        {
            yield return stored.Entity;
        }

        if (baseStore is not null)
        {
            foreach (var (uid, stored) in baseStore.entities)
            {
                if (!entities.ContainsKey(uid))
                {
                    yield return stored.Entity;
                }
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal bool TryGetStored(EntityUid uid, out StoredEntity stored)
    {
        if (entities.TryGetValue(uid, out stored!))
        {
            return true;
        }

        return baseStore is not null && baseStore.entities.TryGetValue(uid, out stored!);
    }

    /// <summary>True when <paramref name="descendant"/> equals <paramref name="ancestor"/> or has it as a transitive parent.</summary>
    internal bool IsInOrEqual(EntityUid descendant, EntityUid ancestor) =>
        descendant == ancestor || (TryGetStored(descendant, out var stored) && stored.Ancestors.Contains(ancestor));

    /// <summary>
    /// True when <paramref name="descendant"/> (with its precomputed <paramref name="ancestors"/>, null when it is not
    /// stored) is in or equal to an entity of <paramref name="set"/>, which holds only entities. Large sets are probed
    /// with the descendant's ancestors rather than walked.
    /// </summary>
    internal static bool IsInAny(EntityUid descendant, AncestorSet? ancestors, Values.SetValue set)
    {
        if (set.Count <= 4)
        {
            foreach (var item in set.Items)
            {
                var uid = ((Values.EntityValue)item).Uid;
                if (uid == descendant || (ancestors is not null && ancestors.Contains(uid)))
                {
                    return true;
                }
            }

            return false;
        }

        var uids = set.EntityUids;
        if (uids.Contains(descendant))
        {
            return true;
        }

        if (ancestors is null || ancestors.IsEmpty)
        {
            return false;
        }

        if (ancestors.SizeHint <= uids.Count)
        {
            foreach (var ancestor in ancestors.Enumerate())
            {
                if (uids.Contains(ancestor))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var uid in uids)
        {
            if (ancestors.Contains(uid))
            {
                return true;
            }
        }

        return false;
    }

    private static Entities Build(Dictionary<EntityUid, Entity> map)
    {
        var parentsInUse = new HashSet<EntityUid>();
        foreach (var entity in map.Values)
        {
            foreach (var parent in entity.Parents)
            {
                parentsInUse.Add(parent);
            }
        }

        var ancestors = AncestorSet.Build(map);
        var stored = new Dictionary<EntityUid, StoredEntity>(map.Count);
        foreach (var (uid, entity) in map)
        {
            stored[uid] = new StoredEntity(entity, ancestors[uid]);
        }

        return new Entities(stored, null, parentsInUse);
    }

    private static AncestorSet OverlayAncestors(EntityUid start, Dictionary<EntityUid, Entity> added, Entities root)
    {
        var result = new HashSet<EntityUid>();
        var stack = new Stack<EntityUid>();
        stack.Push(start);
        var visited = new HashSet<EntityUid> { start };
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            IReadOnlyList<EntityUid> parents;
            if (added.TryGetValue(current, out var overlayEntity))
            {
                parents = overlayEntity.Parents;
            }
            else if (root.entities.TryGetValue(current, out var baseEntity))
            {
                result.UnionWith(baseEntity.Ancestors.Enumerate());
                continue;
            }
            else
            {
                continue;
            }

            foreach (var parent in parents)
            {
                result.Add(parent);
                if (visited.Add(parent))
                {
                    stack.Push(parent);
                }
            }
        }

        return result.Count == 0 ? AncestorSet.Empty : new AncestorSet(result);
    }

    internal sealed record StoredEntity(Entity Entity, AncestorSet Ancestors);
}
