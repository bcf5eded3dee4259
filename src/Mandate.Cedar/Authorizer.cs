using Mandate.Cedar.Evaluation;

namespace Mandate.Cedar;

/// <summary>
/// Cedar authorization: deny by default, any satisfied forbid denies, otherwise any satisfied permit allows. A policy
/// whose evaluation errors is skipped and reported in <see cref="Response.Errors"/>. Never throws on bad policies or data.
/// </summary>
public static class Authorizer
{
    private static readonly CandidateVisitor<Accumulator> Visit = VisitPolicy;

    /// <summary>Decides <paramref name="request"/> against <paramref name="policies"/>, reading attributes and ancestry from <paramref name="entities"/>.</summary>
    public static Response IsAuthorized(Request request, PolicySet policies, Entities entities)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(entities);
        var state = new Accumulator(new EvaluationContext(request, entities));
        policies.Index.ForEachCandidate(request, entities, ref state, Visit);
        if (state.Forbids is { Count: > 0 })
        {
            return new Response(Decision.Deny, state.Forbids, (IReadOnlyList<AuthorizationError>?)state.Errors ?? []);
        }

        if (state.Permits is { Count: > 0 })
        {
            return new Response(Decision.Allow, state.Permits, (IReadOnlyList<AuthorizationError>?)state.Errors ?? []);
        }

        return new Response(Decision.Deny, [], (IReadOnlyList<AuthorizationError>?)state.Errors ?? []);
    }

    private static void VisitPolicy(PreparedPolicy policy, ref Accumulator state)
    {
        switch (policy.Evaluate(state.Context))
        {
            case PolicyOutcome.Satisfied:
                if (policy.IsForbid)
                {
                    (state.Forbids ??= []).Add(policy.Id);
                }
                else
                {
                    (state.Permits ??= []).Add(policy.Id);
                }

                break;
            case PolicyOutcome.Error:
                (state.Errors ??= []).Add(new AuthorizationError(policy.Id, $"while evaluating policy `{policy.Id}`: {state.Context.Error}"));
                state.Context.ClearError();
                break;
        }
    }

    private struct Accumulator(EvaluationContext context)
    {
        public EvaluationContext Context = context;
        public List<string>? Permits;
        public List<string>? Forbids;
        public List<AuthorizationError>? Errors;
    }
}
