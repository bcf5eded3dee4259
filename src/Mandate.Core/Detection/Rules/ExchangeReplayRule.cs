namespace Mandate.Core.Detection.Rules;

/// <summary>
/// <c>exchange_replay</c>: the same token exchange (the same subject token with the same actor token and client) made
/// <see cref="DetectionRuleSettings.Threshold"/> times within the window, issued or refused. A client keeps the token it
/// was issued; the same inputs presented again and again are a captured request being replayed.
/// </summary>
internal sealed class ExchangeReplayRule : IDetectionRule
{
    public string Name => DetectionRuleNames.ExchangeReplay;

    public void Observe(DetectionScope scope)
    {
        var e = scope.Event;
        string? parent;
        if (e.Type == "credential.exchanged")
        {
            parent = DetectionEvents.Detail(e, "parent_jti");
        }
        else if (e.Type == "delegation.exchange_refused")
        {
            parent = e.CredentialId;
        }
        else
        {
            return;
        }

        if (parent is not { Length: > 0 })
        {
            return;
        }

        var inputs = string.Join('|', DetectionEvents.Detail(e, "actor_jti") ?? string.Empty, DetectionEvents.Detail(e, "client_id") ?? string.Empty, e.Actor ?? string.Empty);
        var settings = scope.Settings(Name);
        var credential = scope.State.Credential(parent);
        credential.LastSeen = scope.At;
        var horizon = scope.At - (long)settings.Window.TotalMilliseconds;
        credential.Exchanges.RemoveAll(x => x.At <= horizon);
        credential.Exchanges.Add(new SourceEntry(inputs, scope.At, scope.Record.Sequence));
        if (credential.Exchanges.Count > 1000)
        {
            credential.Exchanges.RemoveRange(0, credential.Exchanges.Count - 1000);
        }

        var same = credential.Exchanges.Where(x => x.Value == inputs).ToList();
        if (same.Count < settings.Threshold || credential.QuietUntil > scope.At)
        {
            return;
        }

        var identity = e.Actor is { Length: > 0 } actor && actor.StartsWith("spiffe://", StringComparison.Ordinal) ? actor : e.Subject;
        if (identity is not { Length: > 0 })
        {
            return;
        }

        scope.Hit(Name, identity, $"The exchange of credential {parent} with the same actor token and client was made {same.Count} times within {settings.Window}.", RuleWindows.Evidence(same.Select(x => x.Seq)));
        credential.QuietUntil = scope.At + (long)settings.Cooldown.TotalMilliseconds;
        credential.Exchanges.RemoveAll(x => x.Value == inputs);
    }
}
