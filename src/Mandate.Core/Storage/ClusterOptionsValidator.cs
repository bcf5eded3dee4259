using Microsoft.Extensions.Options;

namespace Mandate.Core.Storage;

/// <summary>Refuses, at start, a freshness bound or leader check interval outside what a cluster can work with.</summary>
internal sealed class ClusterOptionsValidator : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.FreshnessBound < TimeSpan.FromSeconds(1) || options.FreshnessBound > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{ClusterOptions.SectionName}:{nameof(ClusterOptions.FreshnessBound)} must be between 00:00:01 and 00:05:00.");
        }

        if (options.LeaderCheckInterval < TimeSpan.FromMilliseconds(100) || options.LeaderCheckInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{ClusterOptions.SectionName}:{nameof(ClusterOptions.LeaderCheckInterval)} must be between 00:00:00.1 and 00:01:00.");
        }
        else if (failures.Count == 0 && options.LeaderCheckInterval > options.FreshnessBound / 2)
        {
            failures.Add($"{ClusterOptions.SectionName}:{nameof(ClusterOptions.LeaderCheckInterval)} must be at most half of FreshnessBound.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
