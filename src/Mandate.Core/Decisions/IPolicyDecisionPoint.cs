namespace Mandate.Core.Decisions;

/// <summary>
/// Decides one Cedar request against the active policy set and the entity store, and audits the decision. Never throws
/// on bad policy or data: an error inside a policy is a deny naming the policy.
/// </summary>
internal interface IPolicyDecisionPoint
{
    /// <summary>The version of the policy set decisions are currently made under.</summary>
    string PolicyVersion { get; }

    ValueTask<PolicyDecision> DecideAsync(DecisionRequest request, CancellationToken cancellationToken);
}
