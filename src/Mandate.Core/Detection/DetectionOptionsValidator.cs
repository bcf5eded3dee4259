using Microsoft.Extensions.Options;

namespace Mandate.Core.Detection;

/// <summary>Refuses detection settings that cannot work, naming the configuration key, before the server starts.</summary>
internal sealed class DetectionOptionsValidator : IValidateOptions<DetectionOptions>
{
    public ValidateOptionsResult Validate(string? name, DetectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Section = DetectionOptions.SectionName;
        var failures = new List<string>();
        if (options.RiskHalfLife <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:RiskHalfLife must be greater than 0 (e.g. 24:00:00).");
        }

        if (options.CatchUpInterval < TimeSpan.FromMilliseconds(100) || options.CatchUpInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"{Section}:CatchUpInterval must be between 00:00:00.1 and 01:00:00.");
        }

        if (options.BatchSize is < 1 or > 10_000)
        {
            failures.Add($"{Section}:BatchSize must be between 1 and 10000.");
        }

        if (options.SaveInterval < TimeSpan.Zero || options.SaveInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Section}:SaveInterval must be between 00:00:00 and 00:01:00.");
        }

        foreach (var (rule, given) in options.Rules)
        {
            var key = $"{Section}:Rules:{rule}";
            if (!DetectionRuleSettings.Defaults.ContainsKey(rule))
            {
                failures.Add($"{key}: there is no rule '{rule}'; the rules are {string.Join(", ", DetectionRuleNames.All)}.");
                continue;
            }

            if (given.Threshold is < 1 or > 1000)
            {
                failures.Add($"{key}:Threshold must be between 1 and 1000.");
            }

            if (given.Window is { } window && (window <= TimeSpan.Zero || window > TimeSpan.FromDays(7)))
            {
                failures.Add($"{key}:Window must be greater than 0 and at most 7 days.");
            }

            if (given.Cooldown is { } cooldown && (cooldown < TimeSpan.Zero || cooldown > TimeSpan.FromDays(7)))
            {
                failures.Add($"{key}:Cooldown must be between 0 and 7 days.");
            }

            if (given.Severity is { } severity && !DetectionRuleSettings.Severities.Contains(severity, StringComparer.Ordinal))
            {
                failures.Add($"{key}:Severity must be one of {string.Join(", ", DetectionRuleSettings.Severities)}.");
            }

            if (given.Responses is { } responses)
            {
                var kinds = DetectionRuleSettings.ParseResponses(responses);
                if (kinds.Count == 0 || kinds.Any(k => !DetectionResponseKinds.All.Contains(k, StringComparer.Ordinal)))
                {
                    failures.Add($"{key}:Responses must be a comma-separated list of {string.Join(", ", DetectionResponseKinds.All)} (got '{responses}').");
                }
            }

            if (given.Risk is < 0 or > 100)
            {
                failures.Add($"{key}:Risk must be between 0 and 100.");
            }

            if (given.Baseline is { } baseline && (baseline < TimeSpan.Zero || baseline > TimeSpan.FromDays(365)))
            {
                failures.Add($"{key}:Baseline must be between 0 and 365 days.");
            }

            if (given.MinimumEvents is < 0 or > 100_000)
            {
                failures.Add($"{key}:MinimumEvents must be between 0 and 100000.");
            }

            if (given.Deviation is { } deviation && (double.IsNaN(deviation) || deviation <= 0 || deviation > 100))
            {
                failures.Add($"{key}:Deviation must be greater than 0 and at most 100.");
            }

            if (given.Smoothing is { } smoothing && (double.IsNaN(smoothing) || smoothing <= 0 || smoothing > 1))
            {
                failures.Add($"{key}:Smoothing must be greater than 0 and at most 1.");
            }

            if (given.Ratio is { } ratio && (double.IsNaN(ratio) || ratio < 1 || ratio > 1000))
            {
                failures.Add($"{key}:Ratio must be at least 1 and at most 1000.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
