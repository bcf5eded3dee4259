namespace Mandate.Core.Detection.Rules;

/// <summary><c>deny_burst</c>: one identity denied <see cref="DetectionRuleSettings.Threshold"/> times (any reason) within the window.</summary>
internal sealed class DenyBurstRule : IDetectionRule
{
    public string Name => DetectionRuleNames.DenyBurst;

    public void Observe(DetectionScope scope)
    {
        var e = scope.Event;
        if (!DetectionEvents.IsDecision(e) || !DetectionEvents.IsDeny(e) || DetectionEvents.DecisionIdentity(e) is not { Length: > 0 } identity)
        {
            return;
        }

        var settings = scope.Settings(Name);
        if (RuleWindows.Count(scope.State.Identity(identity), Name, new(scope.At, DetectionEvents.Count(e), scope.Record.Sequence), settings) is { } evidence)
        {
            scope.Hit(Name, identity, $"{identity} was denied {settings.Threshold} or more times within {settings.Window}.", evidence);
        }
    }
}
