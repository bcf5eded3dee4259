namespace Mandate.Core.Detection.Rules;

/// <summary>
/// <c>exception_use</c>: a decision permitted by an exception or break-glass grant (Core.Exceptions). The rule reads the
/// ledger marker the decision point writes when a grant is among the determining policies: <c>details.exception_id</c>
/// (with <c>details.exception_kind</c>) on an allowing decision event. Every such decision is an alert.
/// </summary>
internal sealed class ExceptionUseRule : IDetectionRule
{
    public string Name => DetectionRuleNames.ExceptionUse;

    public void Observe(DetectionScope scope)
    {
        var e = scope.Event;
        if (!DetectionEvents.IsDecision(e) || e.Decision != "allow" || DetectionEvents.Detail(e, "exception_id") is not { Length: > 0 } exception
            || DetectionEvents.DecisionIdentity(e) is not { Length: > 0 } identity)
        {
            return;
        }

        scope.Hit(Name, identity, $"{identity} was allowed {DetectionEvents.EntityId(e.Action)} on {e.Resource} by the exception {exception}.", [scope.Record.Sequence]);
    }
}
