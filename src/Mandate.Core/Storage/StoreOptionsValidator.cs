using Microsoft.Extensions.Options;

namespace Mandate.Core.Storage;

/// <summary>Refuses, at start, store settings outside their range.</summary>
internal sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    private static readonly TimeSpan MaxBusyTimeout = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout > MaxBusyTimeout)
        {
            return ValidateOptionsResult.Fail($"{StoreOptions.SectionName}:{nameof(StoreOptions.BusyTimeout)} must be greater than 0 and at most {MaxBusyTimeout:c}.");
        }

        return ValidateOptionsResult.Success;
    }
}
