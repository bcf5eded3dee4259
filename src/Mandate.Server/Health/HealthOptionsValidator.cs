using Microsoft.Extensions.Options;

namespace Mandate.Server.Health;

/// <summary>Refuses, at start, readiness settings outside their range.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.BackgroundUnhealthyAfter < TimeSpan.Zero
            ? ValidateOptionsResult.Fail($"{HealthOptions.SectionName}:{nameof(HealthOptions.BackgroundUnhealthyAfter)} must be zero or positive.")
            : ValidateOptionsResult.Success;
    }
}
