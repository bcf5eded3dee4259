namespace Mandate.Core.Detection;

/// <summary>
/// One rule's settings as configured (<c>Mandate:Detection:Rules:&lt;rule&gt;</c>); what is left out keeps the rule's
/// default (<see cref="DetectionRuleSettings.Defaults"/>).
/// </summary>
internal sealed class DetectionRuleOptions
{
    public bool? Enabled { get; set; }

    /// <summary>How many matching events (or, for <c>jti_multi_source</c>, client addresses) within the window fire the rule.</summary>
    public int? Threshold { get; set; }

    /// <summary>The window the threshold counts over (for <c>rate_anomaly</c>: the length of one rate bucket).</summary>
    public TimeSpan? Window { get; set; }

    /// <summary>After a hit, the same rule stays quiet for the same identity (or credential) this long.</summary>
    public TimeSpan? Cooldown { get; set; }

    /// <summary><c>low</c>, <c>medium</c>, <c>high</c> or <c>critical</c>.</summary>
    public string? Severity { get; set; }

    /// <summary>Comma-separated <see cref="DetectionResponseKinds"/>, e.g. <c>raise_risk,suspend_identity</c>.</summary>
    public string? Responses { get; set; }

    /// <summary>Points (0–100) added to the identity's risk when the responses include <c>raise_risk</c>.</summary>
    public int? Risk { get; set; }

    /// <summary><c>first_seen_action</c>: how long after an identity's first decision its behaviour is only learnt.</summary>
    public TimeSpan? Baseline { get; set; }

    /// <summary><c>first_seen_action</c>: decisions needed before the baseline counts; <c>rate_anomaly</c>: buckets needed.</summary>
    public int? MinimumEvents { get; set; }

    /// <summary><c>rate_anomaly</c>: how many standard deviations above the identity's mean rate fires.</summary>
    public double? Deviation { get; set; }

    /// <summary><c>rate_anomaly</c>: the EWMA smoothing factor (0 &lt; α ≤ 1).</summary>
    public double? Smoothing { get; set; }

    /// <summary><c>rate_anomaly</c>: how many times the identity's mean rate a bucket must also reach (≥ 1).</summary>
    public double? Ratio { get; set; }
}
