using Microsoft.Extensions.Options;

namespace Mandate.Core.Detection.Signals;

/// <summary>Checks <see cref="SignalOptions"/> at start, naming the key of a bad value.</summary>
internal sealed class SignalOptionsValidator : IValidateOptions<SignalOptions>
{
    public ValidateOptionsResult Validate(string? name, SignalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Section = SignalOptions.SectionName + ":";
        if (options.MaxAttempts is < 1 or > 50)
        {
            failures.Add(Section + "MaxAttempts must be between 1 and 50.");
        }

        Between(failures, Section + "InitialBackoff", options.InitialBackoff, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        Between(failures, Section + "MaxBackoff", options.MaxBackoff, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1));
        Between(failures, Section + "Timeout", options.Timeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        Between(failures, Section + "CatchUpInterval", options.CatchUpInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        Between(failures, Section + "MinimumRoundInterval", options.MinimumRoundInterval, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        if (options.MaxBackoff < options.InitialBackoff)
        {
            failures.Add(Section + "MaxBackoff must not be shorter than InitialBackoff.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Between(List<string> failures, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{key} must be between {min} and {max}.");
        }
    }
}
