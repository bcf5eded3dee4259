using Mandate.Cedar;
using Mandate.Cedar.Syntax;
using Mandate.Core.Policies;

namespace Mandate.Core.Governance.Reviews;

/// <summary>
/// What a principal's active policies permit it, read from the policy set the decision point uses: for each permit
/// whose principal scope matches the principal (<c>==</c>, <c>in</c> through the stored entity hierarchy, <c>is</c>,
/// or unconstrained), every action its action scope names (action groups expanded through the schema) and every
/// resource type its resource scope allows among the action's <c>appliesTo</c> resource types. A pair that an
/// unconditional <c>forbid</c> with a matching scope removes (an access review's revocation, for one) is not an
/// entitlement. Without a schema, actions and resource types come from the scopes alone (<c>*</c> where unconstrained).
/// </summary>
internal static class EntitlementAnalyzer
{
    public const string AnyResourceType = "*";

    public static IReadOnlyList<Entitlement> For(PolicySnapshot snapshot, EntityUid principal)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
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

            foreach (var action in Actions(ast.Action, snapshot.Schema))
            {
                if (!AppliesToPrincipal(action, principal.Type, snapshot.Schema))
                {
                    continue;
                }

                foreach (var resourceType in ResourceTypes(ast.Resource, action, snapshot.Schema))
                {
                    var key = (action.ToString(), resourceType);
                    if (permit)
                    {
                        if (!granted.TryGetValue(key, out var policies))
                        {
                            granted[key] = policies = new SortedSet<string>(StringComparer.Ordinal);
                        }

                        policies.Add(snapshot.DisplayId(policy.Id));
                    }
                    else
                    {
                        forbidden.Add(key);
                    }
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

    private static bool AppliesToPrincipal(EntityUid action, string principalType, Schema? schema) =>
        schema is null
        || !schema.Model.Actions.TryGetValue(action, out var definition)
        || !definition.HasAppliesTo
        || definition.PrincipalTypes.Contains(principalType, StringComparer.Ordinal);

    private static IEnumerable<EntityUid> Actions(ActionConstraint scope, Schema? schema)
    {
        if (scope.Kind == ScopeKind.Any)
        {
            return schema is null ? [new EntityUid("Action", AnyResourceType)] : schema.Model.Actions.Where(a => a.Value.AppliesToAnything).Select(a => a.Key);
        }

        if (scope.Kind == ScopeKind.Equal || schema is null)
        {
            return scope.Entities;
        }

        return scope.Entities.SelectMany(a => schema.Model.ActionDescendants(a).Prepend(a)).Distinct();
    }

    private static IEnumerable<string> ResourceTypes(ScopeConstraint scope, EntityUid action, Schema? schema)
    {
        IReadOnlyList<string>? applies = schema is not null && schema.Model.Actions.TryGetValue(action, out var definition) && definition.HasAppliesTo
            ? definition.ResourceTypes
            : null;
        string? named = scope.Kind switch
        {
            ScopeKind.Is or ScopeKind.IsIn => scope.EntityType,
            ScopeKind.Equal => scope.Entity!.Value.Type,
            _ => null,
        };
        if (applies is null)
        {
            return [named ?? AnyResourceType];
        }

        return scope.Kind switch
        {
            ScopeKind.Any => applies,
            ScopeKind.In => applies.Where(t => schema!.Model.CanBeDescendant(t, scope.Entity!.Value.Type)),
            _ => applies.Where(t => string.Equals(t, named, StringComparison.Ordinal)),
        };
    }
}
