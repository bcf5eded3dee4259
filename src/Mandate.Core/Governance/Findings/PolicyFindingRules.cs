using Mandate.Cedar;

namespace Mandate.Core.Governance.Findings;

/// <summary>
/// The findings the active policies make: <c>broad_policy</c> (a permit unconstrained in principal or resource on a
/// write-like action) and <c>unused_grant</c> (an action × resource type the policies permit a registered identity
/// that it was not allowed once within <see cref="GovernanceOptions.GrantWindow"/>). Pure: the same policies, usage
/// and time give the same findings.
/// </summary>
internal static class PolicyFindingRules
{
    public const string PolicySource = "policy";

    /// <summary>
    /// <c>broad_policy</c>: one finding per permit whose principal or resource scope is unconstrained — <c>principal</c>
    /// / <c>resource</c> alone or <c>is T</c> only (every entity of the type), with no condition reading that variable —
    /// and whose action scope covers a write-like action (through the schema's action groups when there is a schema).
    /// </summary>
    public static List<Finding> BroadPolicies(PolicySet policies, Schema? schema, IReadOnlyDictionary<string, string> displayIds, WriteLikeActions writeLike, IReadOnlyDictionary<string, RegisteredIdentityFacts> registered)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(displayIds);
        ArgumentNullException.ThrowIfNull(writeLike);
        ArgumentNullException.ThrowIfNull(registered);
        var findings = new List<Finding>();
        foreach (var policy in policies.Policies)
        {
            if (policy.IsTemplate || policy.Effect != Effect.Permit)
            {
                continue;
            }

            var scope = PermissionAnalyzer.DescribeScope(policy);
            var openPrincipal = scope.PrincipalKind is ScopeConstraintKind.Any or ScopeConstraintKind.Is && !scope.ConditionsReadPrincipal;
            var openResource = scope.ResourceKind is ScopeConstraintKind.Any or ScopeConstraintKind.Is && !scope.ConditionsReadResource;
            if (!openPrincipal && !openResource)
            {
                continue;
            }

            var actions = schema is not null
                ? PermissionAnalyzer.ActionsCoveredBy(policy, schema).Select(a => a.Id)
                : scope.AnyAction ? ["*"] : scope.Actions.Select(a => a.Id);
            var writes = actions.Where(a => a == "*" || writeLike.IsWriteLike(a)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (writes.Count == 0)
            {
                continue;
            }

            var id = displayIds.TryGetValue(policy.Id, out var display) ? display : policy.Id;
            var principal = scope.PrincipalKind == ScopeConstraintKind.Equal && scope.PrincipalEntity is { } p ? p.Id : "*";
            registered.TryGetValue(principal, out var owner);
            var who = openPrincipal ? (scope.PrincipalType is { } pt ? $"any {pt}" : "any principal") : principal;
            var what = openResource ? (scope.ResourceType is { } rt ? $"any {rt}" : "any resource") : "its resources";
            findings.Add(new Finding
            {
                Id = FindingRules.Id(FindingKinds.BroadPolicy, PolicySource, id, null),
                Kind = FindingKinds.BroadPolicy,
                Severity = openPrincipal ? "high" : "medium",
                Source = PolicySource,
                Identity = principal,
                Owner = owner?.Owner,
                Summary = $"Policy {id} permits {who} to {string.Join(", ", writes)} on {what}" + (scope.ConditionsReadContext ? " (its conditions read only the request context)." : "."),
                Evidence =
                [
                    new FindingEvidence { Kind = "policy", Id = id },
                    FindingEvidence.Field("principal", openPrincipal ? who : principal, PolicySource),
                    FindingEvidence.Field("resource", openResource ? what : "constrained", PolicySource),
                    FindingEvidence.Field("actions", string.Join(",", writes), PolicySource),
                ],
                Remediation = FindingRemediations.BroadPolicy,
            });
        }

        return findings;
    }

    /// <summary>
    /// <c>unused_grant</c>: for every active registered identity older than the window, each (action, resource type)
    /// <see cref="PermissionAnalyzer.Permitted"/> finds that no allowed decision in the ledger used within the window,
    /// naming the granting policies. Needs a schema (the actions and resource types to enumerate): none without one.
    /// </summary>
    public static List<Finding> UnusedGrants(
        PolicySet policies,
        Schema? schema,
        Entities entities,
        IReadOnlyDictionary<string, string> displayIds,
        IEnumerable<RegisteredIdentityFacts> registered,
        IReadOnlyDictionary<(string Subject, string Action, string ResourceType), IdentityUsage> usage,
        DateTimeOffset now,
        GovernanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(entities);
        ArgumentNullException.ThrowIfNull(displayIds);
        ArgumentNullException.ThrowIfNull(registered);
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(options);
        var findings = new List<Finding>();
        if (schema is null || policies.Count == 0)
        {
            return findings;
        }

        var window = FindingRules.Days(options.GrantWindow);

        // What a principal may be permitted depends on it alone only when a policy names it or a condition reads it;
        // otherwise it depends on its groups, so identities with the same groups share one analysis.
        var named = new HashSet<EntityUid>();
        var conditionsReadPrincipal = false;
        foreach (var policy in policies.Policies.Where(p => !p.IsTemplate))
        {
            var scope = PermissionAnalyzer.DescribeScope(policy);
            if (scope.PrincipalEntity is { } entity)
            {
                named.Add(entity);
            }

            conditionsReadPrincipal |= scope.ConditionsReadPrincipal;
        }

        var shared = new Dictionary<string, IReadOnlyList<PermittedAccess>>(StringComparer.Ordinal);
        foreach (var identity in registered)
        {
            if (identity.Status != "active" || now - identity.CreatedAt <= options.GrantWindow)
            {
                continue;
            }

            var principal = new EntityUid(options.PrincipalEntityType, identity.SpiffeId);
            IReadOnlyList<PermittedAccess> permitted;
            if (conditionsReadPrincipal || named.Contains(principal))
            {
                permitted = PermissionAnalyzer.Permitted(policies, schema, entities, principal);
            }
            else
            {
                var groups = entities.TryGet(principal, out var stored) ? string.Join('\n', stored.Parents.Select(g => g.ToString()).Order(StringComparer.Ordinal)) : "";
                if (!shared.TryGetValue(groups, out var known))
                {
                    shared[groups] = known = PermissionAnalyzer.Permitted(policies, schema, entities, principal);
                }

                permitted = known;
            }

            foreach (var access in permitted)
            {
                var action = access.Action.ToString();
                usage.TryGetValue((identity.SpiffeId, action, access.ResourceType), out var used);
                if (used is not null && now - used.LastUsedAt <= options.GrantWindow)
                {
                    continue;
                }

                var ids = access.PolicyIds.Select(p => displayIds.TryGetValue(p, out var d) ? d : p).ToList();
                var evidence = new List<FindingEvidence>(ids.Select(p => new FindingEvidence { Kind = "policy", Id = p }));
                if (used is not null)
                {
                    evidence.Add(new FindingEvidence { Kind = "ledger", Sequence = used.LastSequence });
                }

                findings.Add(RegisteredFindingRules.Make(
                    FindingKinds.UnusedGrant,
                    "low",
                    identity,
                    $"{identity.SpiffeId} may {access.Action.Id} {access.ResourceType} (policy {string.Join(", ", ids)}) but was not allowed to once in the last {window} days"
                        + (used is null ? "." : $" (last on {FindingRules.Date(used.LastUsedAt)})."),
                    evidence,
                    $"Remove {access.Action.Id} on {access.ResourceType} from what {string.Join(", ", ids)} grants this identity, or accept the finding with the reason it is needed.",
                    $"{action}\n{access.ResourceType}"));
            }
        }

        return findings;
    }
}
