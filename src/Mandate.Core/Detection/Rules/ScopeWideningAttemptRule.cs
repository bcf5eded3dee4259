namespace Mandate.Core.Detection.Rules;

/// <summary>
/// <c>scope_widening_attempt</c>: a token exchange refused because it asked for more scope or task intent than the
/// subject token carries (<c>delegation.exchange_refused</c> with <c>details.refusal = scope_widening</c>), or a
/// decision refused because the action is outside the presented credential's scope (<c>outside_credential_scope</c>).
/// </summary>
internal sealed class ScopeWideningAttemptRule : IDetectionRule
{
    /// <summary>The <c>details.refusal</c> token exchange writes when a request would widen scope or intent.</summary>
    public const string RefusalKind = "scope_widening";

    public string Name => DetectionRuleNames.ScopeWideningAttempt;

    public void Observe(DetectionScope scope)
    {
        var e = scope.Event;
        string? identity;
        if (e.Type == "delegation.exchange_refused" && DetectionEvents.Detail(e, "refusal") == RefusalKind)
        {
            identity = e.Actor is { Length: > 0 } actor && actor.StartsWith("spiffe://", StringComparison.Ordinal) ? actor : e.Subject;
        }
        else if (DetectionEvents.IsDecision(e) && DetectionEvents.IsDeny(e) && DetectionEvents.ReasonCode(e) == "outside_credential_scope")
        {
            identity = DetectionEvents.DecisionIdentity(e);
        }
        else
        {
            return;
        }

        if (identity is not { Length: > 0 })
        {
            return;
        }

        var settings = scope.Settings(Name);
        if (RuleWindows.Count(scope.State.Identity(identity), Name, new(scope.At, DetectionEvents.Count(e), scope.Record.Sequence), settings) is { } evidence)
        {
            scope.Hit(Name, identity, $"{identity} asked for more than its credential grants: {e.Reason ?? "scope widening"}.", evidence);
        }
    }
}
