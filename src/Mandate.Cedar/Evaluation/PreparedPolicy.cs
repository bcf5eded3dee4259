using Mandate.Cedar.Syntax;
using Mandate.Cedar.Syntax.Expressions;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Evaluation;

internal enum PolicyOutcome
{
    NotSatisfied,
    Satisfied,
    Error,
}

/// <summary>A static or linked policy ready to evaluate: scope first, then each condition in order, short-circuiting.</summary>
internal sealed class PreparedPolicy(Policy policy)
{
    private readonly ScopeConstraint principal = policy.Ast.Principal;
    private readonly ActionConstraint action = policy.Ast.Action;
    private readonly ScopeConstraint resource = policy.Ast.Resource;
    private readonly Condition[] conditions = [.. policy.Ast.Conditions];

    public Policy Policy { get; } = policy;

    public string Id { get; } = policy.Id;

    public bool IsForbid { get; } = policy.Effect == Effect.Forbid;

    public ScopeConstraint PrincipalScope => principal;

    public ActionConstraint ActionScope => action;

    public ScopeConstraint ResourceScope => resource;

    public PolicyOutcome Evaluate(EvaluationContext context)
    {
        if (!principal.Matches(context.Principal, context)
            || !action.Matches(context.Action, context)
            || !resource.Matches(context.Resource, context))
        {
            return PolicyOutcome.NotSatisfied;
        }

        foreach (var condition in conditions)
        {
            var value = condition.Body.Evaluate(context);
            if (value is null)
            {
                return PolicyOutcome.Error;
            }

            if (value is not BoolValue b)
            {
                context.TypeError("bool", value);
                return PolicyOutcome.Error;
            }

            if (b.Value != condition.IsWhen)
            {
                return PolicyOutcome.NotSatisfied;
            }
        }

        return PolicyOutcome.Satisfied;
    }
}
