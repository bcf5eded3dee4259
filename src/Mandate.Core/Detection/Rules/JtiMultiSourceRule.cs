using Mandate.Core.Credentials;

namespace Mandate.Core.Detection.Rules;

/// <summary>
/// <c>jti_multi_source</c>: one credential used from <see cref="DetectionRuleSettings.Threshold"/> (default two)
/// different client addresses within the window. The addresses come from the sources of <c>credential.used</c> events
/// (<c>authzen:pep:gateway@10.0.0.7</c>) and from the <c>client</c> of decision events that carried the credential.
/// </summary>
internal sealed class JtiMultiSourceRule : IDetectionRule
{
    public string Name => DetectionRuleNames.JtiMultiSource;

    public void Observe(DetectionScope scope)
    {
        var e = scope.Event;
        if (e.CredentialId is not { Length: > 0 } jti)
        {
            return;
        }

        IEnumerable<string> addresses;
        if (e.Type == CredentialUseRecorder.EventType)
        {
            addresses = (DetectionEvents.Detail(e, "sources") ?? string.Empty)
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(DetectionEvents.SourceAddress)
                .OfType<string>();
        }
        else if (DetectionEvents.IsDecision(e) && DetectionEvents.Detail(e, "client") is { } client && client != "unknown")
        {
            addresses = [client];
        }
        else
        {
            return;
        }

        var list = addresses.Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0)
        {
            return;
        }

        var settings = scope.Settings(Name);
        var credential = scope.State.Credential(jti);
        credential.LastSeen = scope.At;
        var horizon = scope.At - (long)settings.Window.TotalMilliseconds;
        credential.Sources.RemoveAll(s => s.At <= horizon);
        foreach (var address in list)
        {
            credential.Sources.RemoveAll(s => s.Value == address);
            credential.Sources.Add(new SourceEntry(address, scope.At, scope.Record.Sequence));
        }

        if (credential.Sources.Count > 64)
        {
            credential.Sources.RemoveRange(0, credential.Sources.Count - 64);
        }

        if (credential.Sources.Count < settings.Threshold || credential.QuietUntil > scope.At)
        {
            return;
        }

        var identity = e.Type == CredentialUseRecorder.EventType ? e.Subject : DetectionEvents.DecisionIdentity(e);
        if (identity is not { Length: > 0 })
        {
            return;
        }

        var seen = string.Join(", ", credential.Sources.Select(s => s.Value).Order(StringComparer.Ordinal));
        scope.Hit(Name, identity, $"The credential {jti} was used from {credential.Sources.Count} client addresses within {settings.Window}: {seen}.", RuleWindows.Evidence(credential.Sources.Select(s => s.Seq)));
        credential.QuietUntil = scope.At + (long)settings.Cooldown.TotalMilliseconds;
        credential.Sources.Clear();
    }
}
