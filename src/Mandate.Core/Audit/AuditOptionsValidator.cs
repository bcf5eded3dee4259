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
            builder.AddError($"{AuditOptions.SectionName}:{nameof(AuditOptions.CheckpointInterval)} must be positive.");
        }

        if (options.MaxBatchSize <= 0)
        {
            builder.AddError($"{AuditOptions.SectionName}:{nameof(AuditOptions.MaxBatchSize)} must be greater than 0.");
        }

        if (options.CheckpointEvery <= 0)
        {
            builder.AddError($"{AuditOptions.SectionName}:{nameof(AuditOptions.CheckpointEvery)} must be greater than 0.");
        }

        if (options.StartupFullVerifyMaxEvents < 0)
        {
            builder.AddError($"{AuditOptions.SectionName}:{nameof(AuditOptions.StartupFullVerifyMaxEvents)} must be zero or positive.");
        }

        if (options.KeyEncryptionKeyPath is { Length: 0 } || (options.KeyEncryptionKeyPath is { } path && string.IsNullOrWhiteSpace(path)))
        {
            builder.AddError($"{AuditOptions.SectionName}:{nameof(AuditOptions.KeyEncryptionKeyPath)} must not be empty.");
        }

        if (options.KeyEncryptionKey is { } key && Identity.Keys.KeyEncryptionKeyText.Problem(key) is { } problem)
        {
            builder.AddError($"{AuditOptions.SectionName}:{nameof(AuditOptions.KeyEncryptionKey)} {problem}");
        }

        return builder.Build();
    }
}
