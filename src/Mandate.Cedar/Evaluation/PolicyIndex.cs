using Mandate.Cedar.Syntax;

namespace Mandate.Cedar.Evaluation;

/// <summary>
/// Finds the policies that can apply to a request without looking at the others. Each policy sits in exactly one
/// bucket, chosen by its most selective scope constraint: the principal entity (<c>==</c> or <c>in</c>), else the
/// resource entity, else a single action, else the unindexed list. A request visits the buckets of its principal,
/// resource and action and of their ancestors (precomputed in <see cref="Entities"/>), so unrelated policies cost nothing.
/// </summary>
internal sealed class PolicyIndex
{
    private readonly Dictionary<EntityUid, PreparedPolicy[]> byPrincipal;
    private readonly Dictionary<EntityUid, PreparedPolicy[]> byResource;
    private readonly Dictionary<EntityUid, PreparedPolicy[]> byAction;
    private readonly PreparedPolicy[] unindexed;

    public PolicyIndex(IEnumerable<Policy> policies)
    {
        var principal = new Dictionary<EntityUid, List<PreparedPolicy>>();
        var resource = new Dictionary<EntityUid, List<PreparedPolicy>>();
        var action = new Dictionary<EntityUid, List<PreparedPolicy>>();
        var rest = new List<PreparedPolicy>();
        foreach (var policy in policies)
        {
            var prepared = new PreparedPolicy(policy);
            if (Key(prepared.PrincipalScope) is { } p)
            {
                Add(principal, p, prepared);
            }
            else if (Key(prepared.ResourceScope) is { } r)
            {
                Add(resource, r, prepared);
            }
            else if (prepared.ActionScope is { Kind: not ScopeKind.Any, Entities.Count: 1 } a)
            {
                Add(action, a.Entities[0], prepared);
            }
            else
            {
                rest.Add(prepared);
            }

            All.Add(prepared);
        }

        byPrincipal = Freeze(principal);
        byResource = Freeze(resource);
        byAction = Freeze(action);
        unindexed = [.. rest];
    }

    public List<PreparedPolicy> All { get; } = [];

    /// <summary>Calls <paramref name="visit"/> for every policy whose scope could match; each policy at most once.</summary>
    public void ForEachCandidate<TState>(Request request, Entities entities, ref TState state, CandidateVisitor<TState> visit)
    {
        foreach (var policy in unindexed)
        {
            visit(policy, ref state);
        }

        Visit(byPrincipal, request.Principal, entities, ref state, visit);
        Visit(byResource, request.Resource, entities, ref state, visit);
        Visit(byAction, request.Action, entities, ref state, visit);
    }

    private static void Visit<TState>(Dictionary<EntityUid, PreparedPolicy[]> buckets, EntityUid uid, Entities entities, ref TState state, CandidateVisitor<TState> visit)
    {
        if (buckets.Count == 0)
        {
            return;
        }

        if (buckets.TryGetValue(uid, out var own))
        {
            foreach (var policy in own)
            {
                visit(policy, ref state);
            }
        }

        if (!entities.TryGetStored(uid, out var stored) || stored.Ancestors.IsEmpty)
        {
            return;
        }

        var ancestors = stored.Ancestors;
        if (ancestors.SizeHint <= buckets.Count)
        {
            foreach (var ancestor in ancestors.Enumerate())
            {
                if (ancestor != uid && buckets.TryGetValue(ancestor, out var list))
                {
                    foreach (var policy in list)
                    {
                        visit(policy, ref state);
                    }
                }
            }
        }
        else
        {
            foreach (var (key, list) in buckets)
            {
                if (key != uid && ancestors.Contains(key))
                {
                    foreach (var policy in list)
                    {
                        visit(policy, ref state);
                    }
                }
            }
        }
    }

    private static EntityUid? Key(ScopeConstraint scope) =>
        scope.Kind is ScopeKind.Equal or ScopeKind.In or ScopeKind.IsIn && !scope.IsSlot ? scope.Entity : null;

    private static void Add(Dictionary<EntityUid, List<PreparedPolicy>> map, EntityUid key, PreparedPolicy policy)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(policy);
    }

    private static Dictionary<EntityUid, PreparedPolicy[]> Freeze(Dictionary<EntityUid, List<PreparedPolicy>> map) =>
        map.ToDictionary(e => e.Key, e => e.Value.ToArray());
}

internal delegate void CandidateVisitor<TState>(PreparedPolicy policy, ref TState state);
