namespace Mandate.Core.Detection.Rules;

/// <summary>
/// <c>first_seen_action</c>: after an identity's baseline (<see cref="DetectionRuleSettings.Baseline"/> since its first
/// decision and at least <see cref="DetectionRuleSettings.MinimumEvents"/> decisions), a decision for an action or a
/// resource type it was never decided for before. During the baseline the rule only learns.
/// </summary>
internal sealed class FirstSeenActionRule : IDetectionRule
{
    /// <summary>Most actions and resource types remembered per identity.</summary>
    private const int MaxRemembered = 256;

    public string Name => DetectionRuleNames.FirstSeenAction;

    public void Observe(DetectionScope scope)
    {
        var e = scope.Event;
        if (!DetectionEvents.IsDecision(e) || DetectionEvents.DecisionIdentity(e) is not { Length: > 0 } identity)
        {
            return;
        }

        var action = DetectionEvents.EntityId(e.Action);
        var resourceType = DetectionEvents.EntityType(e.Resource);
        var state = scope.State.Identity(identity);
        if (state.FirstDecisionAt == 0)
        {
            state.FirstDecisionAt = scope.At;
        }

        var settings = scope.Settings(Name);
        var learnt = scope.At - state.FirstDecisionAt >= (long)settings.Baseline.TotalMilliseconds && state.Decisions >= settings.MinimumEvents;
        state.Decisions += DetectionEvents.Count(e);
        // List.Contains compares strings ordinally, without the boxed enumerator LINQ's Contains with a comparer takes.
        var newAction = action is not null && !state.Actions.Contains(action);
        var newType = resourceType is not null && !state.ResourceTypes.Contains(resourceType);
        if (newAction && state.Actions.Count < MaxRemembered)
        {
            state.Actions.Add(action!);
        }

        if (newType && state.ResourceTypes.Count < MaxRemembered)
        {
            state.ResourceTypes.Add(resourceType!);
        }

        if (!learnt || !(newAction || newType))
        {
            return;
        }

        var what = newAction && newType ? $"the action '{action}' on the resource type '{resourceType}'"
            : newAction ? $"the action '{action}'" : $"the resource type '{resourceType}'";
        scope.Hit(Name, identity, $"{identity} asked for {what} for the first time since its baseline.", [scope.Record.Sequence]);
    }
}
