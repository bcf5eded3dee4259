using Mandate.Cedar;
using Mandate.Cedar.Syntax;
using Mandate.Core.Policies;

namespace Mandate.Core.Governance.Reviews;

/// <summary>
/// What a principal's active policies permit it, read from the policy set the decision point uses. With a schema this
/// is the Cedar engine's <see cref="PermissionAnalyzer.Permitted"/> (the same analysis as the <c>unused_grant</c>
/// finding): every schema action × resource type some permit may grant, a pair an always-holding <c>forbid</c> (an
/// access review's revocation, for one) removes left out. Without a schema there is nothing to enumerate, so the
/// scopes are read alone: for each permit whose principal scope matches the principal (<c>==</c>, <c>in</c> through
/// the stored entity hierarchy, <c>is</c>, or unconstrained), the actions and resource type its scopes name (<c>*</c>
/// where unconstrained), unless an unconditional <c>forbid</c> with a matching scope removes them.
/// </summary>
internal static class EntitlementAnalyzer
{
    public const string AnyResourceType = "*";

    public static IReadOnlyList<Entitlement> For(PolicySnapshot snapshot, EntityUid principal)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Schema is { } schema)
        {
            return [.. PermissionAnalyzer.Permitted(snapshot.Policies, schema, snapshot.Entities, principal)
                .Select(p => new Entitlement(p.Action.ToString(), p.ResourceType, [.. p.PolicyIds.Select(snapshot.DisplayId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]))];
        }

        var granted = new SortedDictionary<(string Action, string ResourceType), SortedSet<string>>();
        var forbidden = new HashSet<(string, string)>();
        foreach (var policy in snapshot.Policies.Policies)
        {
            var ast = policy.Ast;
            if (ast.Principal.IsSlot || ast.Resource.IsSlot || !PrincipalMatches(ast.Principal, principal, snapshot))
            {
                continue;
            }

            var permit = ast.Effect == Effect.Permit;
            if (!permit && ast.Conditions.Count > 0)
            {
                continue;
            }

            var resourceType = ResourceType(ast.Resource);
            foreach (var action in ast.Action.Kind == ScopeKind.Any ? [new EntityUid("Action", AnyResourceType)] : ast.Action.Entities)
            {
                var key = (action.ToString(), resourceType);
                if (!permit)
                {
                    forbidden.Add(key);
                }
                else if (granted.TryGetValue(key, out var policies))
                {
                    policies.Add(snapshot.DisplayId(policy.Id));
                }
                else
                {
                    granted[key] = new SortedSet<string>(StringComparer.Ordinal) { snapshot.DisplayId(policy.Id) };
                }
            }
        }

        return [.. granted.Where(g => !forbidden.Contains(g.Key) && !forbidden.Contains((g.Key.Action, AnyResourceType)))
            .Select(g => new Entitlement(g.Key.Action, g.Key.ResourceType, [.. g.Value]))];
    }

    private static bool PrincipalMatches(ScopeConstraint scope, EntityUid principal, PolicySnapshot snapshot) => scope.Kind switch
    {
        ScopeKind.Any => true,
        ScopeKind.Equal => scope.Entity == principal,
        ScopeKind.Is => string.Equals(scope.EntityType, principal.Type, StringComparison.Ordinal),
        ScopeKind.In => snapshot.Entities.IsInOrEqual(principal, scope.Entity!.Value),
        _ => string.Equals(scope.EntityType, principal.Type, StringComparison.Ordinal) && snapshot.Entities.IsInOrEqual(principal, scope.Entity!.Value),
    };

    /// <summary>The resource type a scope names (<c>*</c> when it names none).</summary>
    private static string ResourceType(ScopeConstraint scope) => scope.Kind switch
    {
        ScopeKind.Is or ScopeKind.IsIn => scope.EntityType!,
        ScopeKind.Equal => scope.Entity!.Value.Type,
        _ => AnyResourceType,
    };
}
