namespace Mandate.Core.Detection.Rules;

/// <summary>
/// <c>beyond_task_scope</c>: one identity's requests refused as outside its task (<c>outside_task_scope</c>) reach
/// <see cref="DetectionRuleSettings.Threshold"/> (default 10) within the window (default 60 s). A folded record
/// counts every repeat it stands for.
/// </summary>
internal sealed class BeyondTaskScopeRule : IDetectionRule
{
    public string Name => DetectionRuleNames.BeyondTaskScope;

    public void Observe(DetectionScope scope)
    {
        var e = scope.Event;
        if (!DetectionEvents.IsDecision(e) || !DetectionEvents.IsDeny(e) || DetectionEvents.ReasonCode(e) != "outside_task_scope"
            || DetectionEvents.DecisionIdentity(e) is not { Length: > 0 } identity)
        {
            return;
        }

        var settings = scope.Settings(Name);
        if (RuleWindows.Count(scope.State.Identity(identity), Name, new(scope.At, DetectionEvents.Count(e), scope.Record.Sequence), settings) is { } evidence)
        {
            scope.Hit(Name, identity, $"{identity} made {settings.Threshold} or more requests outside its task within {settings.Window}.", evidence);
        }
    }
}
