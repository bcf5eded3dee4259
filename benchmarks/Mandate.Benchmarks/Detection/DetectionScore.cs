using Mandate.Core.Detection;

namespace Mandate.Benchmarks.Detection;

/// <summary>
/// Scores alerts against a trace's labels, per rule. An alert is right when an injected attack on the same identity,
/// happening when the alert was raised, is labelled with the alert's rule (precision = right alerts / alerts). An
/// attack is found when at least one alert of its own rule is right about it (recall = found / injected).
/// </summary>
internal sealed record DetectionScore(string Rule, int Injected, int Found, int Alerts, int RightAlerts)
{
    // A hit is stamped with the time of the record that completed it; allow for nothing else.
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1);

    public double Precision => Alerts == 0 ? (Injected == 0 ? 1 : 0) : (double)RightAlerts / Alerts;

    public double Recall => Injected == 0 ? 1 : (double)Found / Injected;

    /// <summary>The alerts no labelled attack explains, and the attacks no alert of their rule found.</summary>
    public static IEnumerable<(InjectedAttack? Missed, DetectionAlert? Wrong)> Mistakes(IReadOnlyList<InjectedAttack> attacks, IReadOnlyList<DetectionAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(attacks);
        ArgumentNullException.ThrowIfNull(alerts);
        var byIdentity = attacks.ToLookup(a => a.Identity, StringComparer.Ordinal);
        foreach (var alert in alerts.Where(alert => !byIdentity[alert.Identity].Any(attack => About(attack, alert, alert.Rule))))
        {
            yield return (null, alert);
        }

        var alertsByIdentity = alerts.ToLookup(a => a.Identity, StringComparer.Ordinal);
        foreach (var attack in attacks.Where(attack => !alertsByIdentity[attack.Identity].Any(alert => alert.Rule == attack.Rule && About(attack, alert, attack.Rule))))
        {
            yield return (attack, null);
        }
    }

    private static bool About(InjectedAttack attack, DetectionAlert alert, string rule) =>
        attack.Labels.Contains(rule) && alert.Time >= attack.Start - Tolerance && alert.Time <= attack.End + Tolerance;

    public static IReadOnlyList<DetectionScore> Compute(IReadOnlyList<InjectedAttack> attacks, IReadOnlyList<DetectionAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(attacks);
        ArgumentNullException.ThrowIfNull(alerts);
        var byIdentity = attacks.ToLookup(a => a.Identity, StringComparer.Ordinal);
        var scores = new List<DetectionScore>();
        foreach (var rule in DetectionRuleSettings.Defaults.Keys.Order(StringComparer.Ordinal))
        {
            var ruleAlerts = alerts.Where(a => a.Rule == rule).ToList();
            var right = ruleAlerts.Count(alert => byIdentity[alert.Identity].Any(attack => About(attack, alert, rule)));
            var injected = attacks.Where(a => a.Rule == rule).ToList();
            var alertsByIdentity = ruleAlerts.ToLookup(a => a.Identity, StringComparer.Ordinal);
            var found = injected.Count(attack => alertsByIdentity[attack.Identity].Any(alert => About(attack, alert, rule)));
            scores.Add(new DetectionScore(rule, injected.Count, found, ruleAlerts.Count, right));
        }

        return scores;
    }
}
