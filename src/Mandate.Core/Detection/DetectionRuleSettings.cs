using static Mandate.Core.Detection.DetectionRuleNames;

namespace Mandate.Core.Detection;

/// <summary>One rule's effective settings: its defaults overlaid with what configuration gives.</summary>
internal sealed record DetectionRuleSettings(
    bool Enabled,
    int Threshold,
    TimeSpan Window,
    TimeSpan Cooldown,
    string Severity,
    IReadOnlyList<string> Responses,
    int Risk,
    TimeSpan Baseline,
    int MinimumEvents,
    double Deviation,
    double Smoothing,
    double Ratio)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>The defaults, documented in docs/detection.md.</summary>
    public static readonly IReadOnlyDictionary<string, DetectionRuleSettings> Defaults = new Dictionary<string, DetectionRuleSettings>(StringComparer.Ordinal)
    {
        [CredentialReuse] = Rule(1, 10 * Minute, "high", 40, DetectionResponseKinds.RaiseRisk),
        [JtiMultiSource] = Rule(2, 5 * Minute, "high", 40, DetectionResponseKinds.RaiseRisk),
        [ExchangeReplay] = Rule(3, 5 * Minute, "medium", 20, DetectionResponseKinds.RaiseRisk),
        [ScopeWideningAttempt] = Rule(1, 10 * Minute, "medium", 20, DetectionResponseKinds.RaiseRisk),
        [BeyondTaskScope] = Rule(10, Minute, "high", 85, DetectionResponseKinds.RaiseRisk),
        [DenyBurst] = Rule(30, Minute, "medium", 20, DetectionResponseKinds.RaiseRisk),
        [PrivilegeEscalationAttempt] = Rule(1, 10 * Minute, "high", 30, DetectionResponseKinds.RaiseRisk),
        [SuspendedIdentityUse] = Rule(1, 10 * Minute, "medium", 0, DetectionResponseKinds.Alert),
        [FirstSeenAction] = Rule(1, Minute, "low", 0, DetectionResponseKinds.Alert) with { Baseline = TimeSpan.FromHours(24), MinimumEvents = 20 },
        [RateAnomaly] = Rule(20, Minute, "medium", 10, DetectionResponseKinds.Alert) with { MinimumEvents = 10, Deviation = 6, Smoothing = 0.3, Ratio = 3 },
        [ExceptionUse] = Rule(1, TimeSpan.Zero, "medium", 0, DetectionResponseKinds.Alert),
    };

    public static readonly IReadOnlyList<string> Severities = ["low", "medium", "high", "critical"];

    public bool Responds(string kind) => Responses.Contains(kind, StringComparer.Ordinal);

    /// <summary>Every rule's effective settings under <paramref name="options"/> (validated already).</summary>
    public static IReadOnlyDictionary<string, DetectionRuleSettings> Resolve(DetectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new Dictionary<string, DetectionRuleSettings>(StringComparer.Ordinal);
        foreach (var (name, defaults) in Defaults)
        {
            result[name] = options.Rules.TryGetValue(name, out var given) ? defaults.With(given) : defaults;
        }

        return result;
    }

    /// <summary>Comma-separated response kinds, trimmed, without empties.</summary>
    public static IReadOnlyList<string> ParseResponses(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)];

    private DetectionRuleSettings With(DetectionRuleOptions given)
    {
        var window = given.Window ?? Window;
        return new DetectionRuleSettings(
            given.Enabled ?? Enabled,
            given.Threshold ?? Threshold,
            window,
            given.Cooldown ?? (given.Window is null ? Cooldown : window),
            given.Severity ?? Severity,
            given.Responses is { } responses ? ParseResponses(responses) : Responses,
            given.Risk ?? Risk,
            given.Baseline ?? Baseline,
            given.MinimumEvents ?? MinimumEvents,
            given.Deviation ?? Deviation,
            given.Smoothing ?? Smoothing,
            given.Ratio ?? Ratio);
    }

    private static DetectionRuleSettings Rule(int threshold, TimeSpan window, string severity, int risk, string responses) =>
        new(true, threshold, window, window, severity, ParseResponses(responses), risk, TimeSpan.Zero, 0, 0, 0, 1);
}
