using Microsoft.Extensions.Options;

namespace Mandate.Core.Policies;

/// <summary>Refuses, at start, a catch-up interval so short it loads the store or so long a node stays on an old policy.</summary>
internal sealed class PolicySyncOptionsValidator : IValidateOptions<PolicySyncOptions>
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaximumInterval = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, PolicySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.CatchUpInterval < MinimumInterval || options.CatchUpInterval > MaximumInterval
            ? ValidateOptionsResult.Fail($"{PolicySyncOptions.SectionName}:{nameof(PolicySyncOptions.CatchUpInterval)} must be between 00:00:00.1 and 00:05:00.")
            : ValidateOptionsResult.Success;
    }
}
