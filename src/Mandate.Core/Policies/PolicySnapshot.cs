using System.Collections.Frozen;
using Mandate.Cedar;

namespace Mandate.Core.Policies;

/// <summary>
/// A prepared, immutable policy set with its entities and schema: parsed and indexed once, then shared by every
/// decision until the next one is swapped in.
/// </summary>
internal sealed class PolicySnapshot
{
    private static readonly EntityUid[] NoEntities = [];

    internal PolicySnapshot(
        PolicyBundle bundle,
        PolicySet policies,
        Entities entities,
        Schema? schema,
        string version,
        string origin,
        DateTimeOffset activatedAt)
    {
        Bundle = bundle;
        Policies = policies;
        Entities = entities;
        Schema = schema;
        Version = version;
        Origin = origin;
        ActivatedAt = activatedAt;

        var displayIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var policy in policies.Policies)
        {
            if (policy.Annotations.TryGetValue("id", out var annotated) && !string.IsNullOrEmpty(annotated) && annotated != policy.Id)
            {
                displayIds[policy.Id] = annotated;
            }
        }

        DisplayIds = displayIds.ToFrozenDictionary(StringComparer.Ordinal);
        EntitiesByType = entities
            .GroupBy(e => e.Uid.Type, StringComparer.Ordinal)
            .ToFrozenDictionary(
                g => g.Key,
                g => g.Select(e => e.Uid).OrderBy(u => u.Id, StringComparer.Ordinal).ToArray(),
                StringComparer.Ordinal);
        KnownEntityTypes = schema is null ? null : SchemaFacts.EntityTypes(schema).ToFrozenSet(StringComparer.Ordinal);
        Actions = (schema is null ? [] : SchemaFacts.Actions(schema))
            .Concat(entities.Select(e => e.Uid).Where(u => IsActionType(u.Type)))
            .Distinct()
            .OrderBy(u => u.Id, StringComparer.Ordinal)
            .ToArray();
        ActionsByName = Actions
            .GroupBy(a => a.Id, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(a => a.Type == "Action" ? 0 : 1).First(), StringComparer.Ordinal);
    }

    public PolicyBundle Bundle { get; }

    public PolicySet Policies { get; }

    /// <summary>The stored entities (from <c>entities.json</c> and the inventory), ancestors precomputed.</summary>
    public Entities Entities { get; }

    public Schema? Schema { get; }

    /// <summary>Content hash of the bundle: equal bundles have equal versions.</summary>
    public string Version { get; }

    /// <summary>Where the bundle came from: <c>data:DIR</c>, <c>demo</c>, <c>admin</c>, <c>store</c> or <c>empty</c>.</summary>
    public string Origin { get; }

    public DateTimeOffset ActivatedAt { get; }

    /// <summary>Engine policy id → its <c>@id</c> annotation, only where they differ.</summary>
    public FrozenDictionary<string, string> DisplayIds { get; }

    /// <summary>Entity types the schema declares, or null without a schema (then every type is accepted).</summary>
    public FrozenSet<string>? KnownEntityTypes { get; }

    /// <summary>Every action the schema or the entities declare, sorted by name: the candidates of action search.</summary>
    public IReadOnlyList<EntityUid> Actions { get; }

    private FrozenDictionary<string, EntityUid[]> EntitiesByType { get; }

    private FrozenDictionary<string, EntityUid> ActionsByName { get; }

    /// <summary>The action entity an AuthZEN <c>action.name</c> means: the declared one (which may be namespaced), else <c>Action::"name"</c>.</summary>
    public EntityUid ActionFor(string name) =>
        ActionsByName.TryGetValue(name, out var uid) ? uid : new EntityUid("Action", name);

    /// <summary>Stored entities of one type, sorted by id: the candidates of subject and resource search.</summary>
    public IReadOnlyList<EntityUid> EntitiesOfType(string type) =>
        EntitiesByType.TryGetValue(type, out var uids) ? uids : NoEntities;

    public string DisplayId(string policyId) => DisplayIds.TryGetValue(policyId, out var display) ? display : policyId;

    public static bool IsActionType(string type) =>
        type == "Action" || type.EndsWith("::Action", StringComparison.Ordinal);
}
