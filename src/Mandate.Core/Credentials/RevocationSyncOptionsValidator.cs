using Microsoft.Extensions.Options;

namespace Mandate.Core.Credentials;

/// <summary>Refuses, at start, intervals the revocation sync and use flush timers could not run with.</summary>
internal sealed class RevocationSyncOptionsValidator : IValidateOptions<RevocationSyncOptions>
{
    public ValidateOptionsResult Validate(string? name, RevocationSyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        Positive(builder, options.ReconcileInterval, nameof(RevocationSyncOptions.ReconcileInterval));
        Positive(builder, options.FullReloadInterval, nameof(RevocationSyncOptions.FullReloadInterval));
        Positive(builder, options.UseFlushInterval, nameof(RevocationSyncOptions.UseFlushInterval));
        if (options.PollOverlap < TimeSpan.Zero)
        {
            builder.AddError($"{RevocationSyncOptions.SectionName}:{nameof(RevocationSyncOptions.PollOverlap)} must be zero or positive.");
        }

        return builder.Build();
    }

    private static void Positive(ValidateOptionsResultBuilder builder, TimeSpan value, string setting)
    {
        if (value <= TimeSpan.Zero)
        {
            builder.AddError($"{RevocationSyncOptions.SectionName}:{setting} must be positive.");
        }
    }
}
