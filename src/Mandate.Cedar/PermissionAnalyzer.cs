using Mandate.Cedar.Analysis;
using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Schemas;
using Mandate.Cedar.Syntax;
using Mandate.Cedar.Values;

namespace Mandate.Cedar;

/// <summary>
/// What a policy set may permit, found without a concrete request: the shape of each policy, and for one principal
/// every schema action and resource type some request could be allowed for.
/// </summary>
/// <remarks>
/// <see cref="Permitted"/> answers "may permit for some resource of that type and some context". A permit counts when
/// its principal scope matches the principal (with its ancestors from the entities), its action scope covers the
/// action (through the schema's action groups), its resource scope admits entities of the type (through the schema's
/// <c>memberOf</c>), and none of its conditions is false for the principal. Conditions are split at top-level
/// <c>&amp;&amp;</c>; a part that reads only the principal and the action is evaluated exactly (an error counts as
/// false, as in authorization); a part that reads the resource or the context is taken as satisfiable. A forbid removes
/// the access only when it holds for every resource of the type and every context: its resource scope is unconstrained
/// (or <c>is</c> the type) and none of its conditions reads the resource or the context.
/// </remarks>
public static class PermissionAnalyzer
{
    private const string AnalysisResourceId = "\u0000permission-analysis";

    /// <summary>The scope and condition shape of <paramref name="policy"/>.</summary>
    public static PolicyScopeSummary DescribeScope(Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var ast = policy.Ast;
        var reads = VariableReads.None;
        foreach (var condition in ast.Conditions)
        {
            reads |= ConditionReads.Of(condition.Body);
        }

        return new PolicyScopeSummary(
            Kind(ast.Principal.Kind),
            ast.Principal.Entity,
            ast.Principal.EntityType,
            ast.Action.Kind == ScopeKind.Any ? [] : ast.Action.Entities,
            Kind(ast.Resource.Kind),
            ast.Resource.Entity,
            ast.Resource.EntityType,
            reads.HasFlag(VariableReads.Principal),
            reads.HasFlag(VariableReads.Resource),
            reads.HasFlag(VariableReads.Context));
    }

    /// <summary>The schema actions <paramref name="policy"/>'s action scope covers (an action group covers its members).</summary>
    public static IReadOnlyList<EntityUid> ActionsCoveredBy(Policy policy, Schema schema)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(schema);
        return [.. schema.Model.Actions.Values.Where(a => ActionMatches(policy.Ast.Action, a)).Select(a => a.Uid).OrderBy(a => a.ToString(), StringComparer.Ordinal)];
    }

    /// <summary>
    /// Every (schema action, resource type) that <paramref name="policies"/> may permit <paramref name="principal"/>
    /// for some resource of that type and some context, with the granting permit policies (see the remarks on the class).
    /// </summary>
    public static IReadOnlyList<PermittedAccess> Permitted(PolicySet policies, Schema schema, Entities entities, EntityUid principal)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(entities);
        var candidates = policies.Policies.Where(p => !p.IsTemplate).ToList();
        var result = new List<PermittedAccess>();
        foreach (var action in schema.Model.Actions.Values.OrderBy(a => a.Uid.ToString(), StringComparer.Ordinal))
        {
            if (!action.HasAppliesTo || !action.PrincipalTypes.Contains(principal.Type, StringComparer.Ordinal))
            {
                continue;
            }

            foreach (var resourceType in action.ResourceTypes)
            {
                var context = new EvaluationContext(new Request(principal, action.Uid, new EntityUid(resourceType, AnalysisResourceId)), entities);
                List<string>? granting = null;
                var forbidden = false;
                foreach (var policy in candidates)
                {
                    var ast = policy.Ast;
                    if (!ast.Principal.Matches(context.Principal, context)
                        || !ActionMatches(ast.Action, action)
                        || !ResourceAdmits(ast.Resource, resourceType, schema.Model))
                    {
                        continue;
                    }

                    var outcome = Conditions(ast, context);
                    if (outcome == Outcome.Never)
                    {
                        continue;
                    }

                    if (ast.Effect == Effect.Permit)
                    {
                        (granting ??= []).Add(policy.Id);
                    }
                    else if (outcome == Outcome.Always && ast.Resource.Kind is ScopeKind.Any or ScopeKind.Is)
                    {
                        forbidden = true;
                        break;
                    }
                }

                if (!forbidden && granting is not null)
                {
                    result.Add(new PermittedAccess(action.Uid, resourceType, granting));
                }
            }
        }

        return result;
    }

    private enum Outcome
    {
        Never,
        Sometimes,
        Always,
    }

    private static Outcome Conditions(PolicyAst ast, EvaluationContext context)
    {
        var outcome = Outcome.Always;
        foreach (var condition in ast.Conditions)
        {
            var parts = condition.IsWhen ? ConditionReads.Conjuncts(condition.Body) : [condition.Body];
            foreach (var part in parts)
            {
                if ((ConditionReads.Of(part) & (VariableReads.Resource | VariableReads.Context)) != 0)
                {
                    outcome = Outcome.Sometimes;
                    continue;
                }

                var value = part.Evaluate(context);
                if (value is not BoolValue b)
                {
                    context.ClearError();
                    return Outcome.Never;
                }

                if (b.Value != condition.IsWhen)
                {
                    return Outcome.Never;
                }
            }
        }

        return outcome;
    }

    private static bool ActionMatches(ActionConstraint constraint, ActionDefinition action) => constraint.Kind switch
    {
        ScopeKind.Any => true,
        ScopeKind.Equal => constraint.Entities[0] == action.Uid,
        _ => constraint.Entities.Any(e => e == action.Uid || action.Ancestors.Contains(e)),
    };

    private static bool ResourceAdmits(ScopeConstraint scope, string resourceType, SchemaModel model) => scope.Kind switch
    {
        ScopeKind.Any => true,
        ScopeKind.Is => string.Equals(scope.EntityType, resourceType, StringComparison.Ordinal),
        ScopeKind.Equal => string.Equals(scope.Entity!.Value.Type, resourceType, StringComparison.Ordinal),
        ScopeKind.In => model.CanBeDescendant(resourceType, scope.Entity!.Value.Type),
        _ => string.Equals(scope.EntityType, resourceType, StringComparison.Ordinal) && model.CanBeDescendant(resourceType, scope.Entity!.Value.Type),
    };

    private static ScopeConstraintKind Kind(ScopeKind kind) => kind switch
    {
        ScopeKind.Any => ScopeConstraintKind.Any,
        ScopeKind.Equal => ScopeConstraintKind.Equal,
        ScopeKind.In => ScopeConstraintKind.In,
        ScopeKind.Is => ScopeConstraintKind.Is,
        _ => ScopeConstraintKind.IsIn,
    };
}
