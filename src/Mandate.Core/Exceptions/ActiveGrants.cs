using System.Collections.Frozen;
using Mandate.Cedar;

namespace Mandate.Core.Exceptions;

/// <summary>
/// This node's view of the active grants, by principal: replaced whole (one reference write) when a grant becomes
/// active or ends here or, on a shared store, on any node. A decision asks <see cref="Match"/> only about its own
/// principal, and a grant past its expiry never matches, whether or not the sweeper has ended it yet.
/// </summary>
internal sealed class ActiveGrants(TimeProvider time)
{
    private static readonly FrozenDictionary<EntityUid, Entry[]> None = FrozenDictionary<EntityUid, Entry[]>.Empty;

    private FrozenDictionary<EntityUid, Entry[]> byPrincipal = None;

    /// <summary>How many active grants this node holds.</summary>
    public int Count { get; private set; }

    /// <summary>Whether this node holds no active grant (the decision point's fast path: nothing to evaluate).</summary>
    public bool IsEmpty => Volatile.Read(ref byPrincipal).Count == 0;

    /// <summary>Replaces the view with <paramref name="active"/> (grants whose policy does not parse permit nothing and are left out).</summary>
    public void Load(IEnumerable<AccessGrant> active)
    {
        ArgumentNullException.ThrowIfNull(active);
        var entries = new List<(EntityUid Principal, Entry Entry)>();
        foreach (var grant in active)
        {
            if (grant.Status != GrantStatuses.Active || grant.Policy is null || GrantPolicy.Parse(grant.Id, grant.Policy) is not { } set
                || set.Policies is not [var policy] || PermissionAnalyzer.DescribeScope(policy).PrincipalEntity is not { } principal)
            {
                continue;
            }

            entries.Add((principal, new Entry(grant.Id, grant.Kind, grant.ExpiresAt, set)));
        }

        var map = entries.GroupBy(e => e.Principal).ToFrozenDictionary(g => g.Key, g => g.Select(e => e.Entry).ToArray());
        Volatile.Write(ref byPrincipal, map);
        Count = entries.Count;
    }

    /// <summary>The unexpired grant that permits <paramref name="request"/>, or null.</summary>
    public Entry? Match(Request request, Entities entities)
    {
        ArgumentNullException.ThrowIfNull(request);
        var map = Volatile.Read(ref byPrincipal);
        if (map.Count == 0 || !map.TryGetValue(request.Principal, out var candidates))
        {
            return null;
        }

        var now = time.GetUtcNow();
        foreach (var entry in candidates)
        {
            if (now < entry.ExpiresAt && Authorizer.IsAuthorized(request, entry.Policies, entities).Decision == Decision.Allow)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>One active grant: its id, kind, expiry and its one-policy Cedar set.</summary>
    internal sealed record Entry(string Id, string Kind, DateTimeOffset ExpiresAt, PolicySet Policies);
}
