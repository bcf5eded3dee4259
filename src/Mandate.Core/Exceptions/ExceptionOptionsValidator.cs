using Microsoft.Extensions.Options;

namespace Mandate.Core.Exceptions;

/// <summary>Refuses exception settings that cannot work, naming the configuration key, before the server starts.</summary>
internal sealed class ExceptionOptionsValidator : IValidateOptions<ExceptionOptions>
{
    public ValidateOptionsResult Validate(string? name, ExceptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Section = ExceptionOptions.SectionName;
        var failures = new List<string>();
        if (options.MinTtl < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{Section}:MinTtl must be at least 00:00:01.");
        }

        if (options.MaxTtl < options.MinTtl || options.MaxTtl > TimeSpan.FromDays(30))
        {
            failures.Add($"{Section}:MaxTtl must be between MinTtl and 30.00:00:00.");
        }

        if (options.BreakGlassMaxTtl < options.MinTtl || options.BreakGlassMaxTtl > ExceptionOptions.BreakGlassCeiling)
        {
            failures.Add($"{Section}:BreakGlassMaxTtl must be between MinTtl and 01:00:00 (break-glass is never longer than an hour).");
        }

        if (options.SweepInterval < TimeSpan.FromMilliseconds(100) || options.SweepInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{Section}:SweepInterval must be between 00:00:00.1 and 00:05:00.");
        }

        if (options.BreakGlassReviewDue < TimeSpan.FromHours(1) || options.BreakGlassReviewDue > TimeSpan.FromDays(90))
        {
            failures.Add($"{Section}:BreakGlassReviewDue must be between 01:00:00 and 90.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
