using Microsoft.Extensions.Options;

namespace Mandate.Core.Audit;

/// <summary>Refuses, at start, audit settings the checkpoint writer could not run with.</summary>
internal sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        if (options.CheckpointInterval <= TimeSpan.Zero)
        {
            builder.AddError("Mandate:Audit:CheckpointInterval must be positive.");
        }

        return builder.Build();
    }
}
