using Mandate.Core.Credentials;

namespace Mandate.Core.Detection.Rules;

/// <summary>
/// <c>suspended_identity_use</c>: an identity that is no longer active (suspended, revoked, offboarded or expired in
/// the inventory) was the subject of a decision, or presented one of its credentials or SVIDs.
/// </summary>
internal sealed class SuspendedIdentityUseRule : IDetectionRule
{
    public string Name => DetectionRuleNames.SuspendedIdentityUse;

    public void Observe(DetectionScope scope)
    {
        var e = scope.Event;
        string? identity = null;
        if (DetectionEvents.IsDecision(e) && DetectionEvents.IsDeny(e) && DetectionEvents.ReasonCode(e) == Decisions.AuthZenRequestMapper.IdentityInactiveReason)
        {
            identity = DetectionEvents.DecisionIdentity(e);
        }
        else if (DetectionEvents.BaseType(e) == TokenReuseDetector.EventType && DetectionEvents.Detail(e, "state") == "identity_inactive")
        {
            identity = e.Subject;
        }

        if (identity is not { Length: > 0 })
        {
            return;
        }

        var settings = scope.Settings(Name);
        if (RuleWindows.Count(scope.State.Identity(identity), Name, new(scope.At, DetectionEvents.Count(e), scope.Record.Sequence), settings) is { } evidence)
        {
            scope.Hit(Name, identity, $"The inactive identity {identity} was used ({e.Action ?? e.Type}): {e.Reason ?? "refused"}.", evidence);
        }
    }
}
