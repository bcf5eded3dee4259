using Mandate.Core.Credentials;

namespace Mandate.Core.Detection.Rules;

/// <summary>
/// <c>credential_reuse</c>: a revoked or expired credential (a completed task's credentials are revoked with it) was
/// presented anywhere: at a decision, a token exchange, an introspection, or as a workload's SVID. Every refusing path
/// writes <c>detection.token_reuse</c> (folded when it floods); one alert per credential per cooldown.
/// </summary>
internal sealed class CredentialReuseRule : IDetectionRule
{
    public string Name => DetectionRuleNames.CredentialReuse;

    public void Observe(DetectionScope scope)
    {
        var e = scope.Event;
        if (DetectionEvents.BaseType(e) != TokenReuseDetector.EventType
            || DetectionEvents.Detail(e, "state") is not ("revoked" or "expired")
            || e.Subject is not { Length: > 0 } identity)
        {
            return;
        }

        var settings = scope.Settings(Name);
        var state = scope.State.Identity(identity);
        var key = Name + ":" + (e.CredentialId ?? "-");
        if (RuleWindows.Count(state, key, new(scope.At, DetectionEvents.Count(e), scope.Record.Sequence), settings) is { } evidence)
        {
            var where = e.Action ?? "unknown";
            scope.Hit(Name, identity, $"A {DetectionEvents.Detail(e, "state")} credential ({e.CredentialId ?? "no jti"}) was presented again at {where}.", evidence);
        }
    }
}
