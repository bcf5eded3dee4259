using Microsoft.Extensions.Options;

namespace Mandate.Core.Decisions;

/// <summary>Refuses, at start, decision settings outside their range.</summary>
internal sealed class DecisionOptionsValidator : IValidateOptions<DecisionOptions>
{
    public ValidateOptionsResult Validate(string? name, DecisionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        if (options.AuditAllowSampleRate is not (>= 0 and <= 1))
        {
            builder.AddError("Mandate:Decisions:AuditAllowSampleRate must be between 0 and 1.");
        }

        foreach (var (value, setting) in new (long Value, string Setting)[]
        {
            (options.MaxRequestBodyBytes, nameof(DecisionOptions.MaxRequestBodyBytes)),
            (options.MaxBatchItems, nameof(DecisionOptions.MaxBatchItems)),
            (options.MaxSearchPageSize, nameof(DecisionOptions.MaxSearchPageSize)),
            (options.MaxIdentifierLength, nameof(DecisionOptions.MaxIdentifierLength)),
            (options.MaxPropertiesBytes, nameof(DecisionOptions.MaxPropertiesBytes)),
            (options.MaxContextBytes, nameof(DecisionOptions.MaxContextBytes)),
            (options.AuditQueueCapacity, nameof(DecisionOptions.AuditQueueCapacity)),
        })
        {
            if (value <= 0)
            {
                builder.AddError($"{DecisionOptions.SectionName}:{setting} must be greater than 0.");
            }
        }

        if (!Enum.IsDefined(options.AuditOverflow))
        {
            builder.AddError("Mandate:Decisions:AuditOverflow must be Wait or DropAllows.");
        }

        if (!Enum.IsDefined(options.AuditDurability))
        {
            builder.AddError("Mandate:Decisions:AuditDurability must be Committed, Flushed or Queued.");
        }

        if (options.AuditFlushInterval < TimeSpan.FromMilliseconds(1) || options.AuditFlushInterval > TimeSpan.FromSeconds(10))
        {
            builder.AddError("Mandate:Decisions:AuditFlushInterval must be between 00:00:00.001 and 00:00:10.");
        }

        if (options.AuditQueueWaitTimeout <= TimeSpan.Zero || options.AuditQueueWaitTimeout > TimeSpan.FromMinutes(5))
        {
            builder.AddError("Mandate:Decisions:AuditQueueWaitTimeout must be greater than 0 and at most 00:05:00.");
        }

        if (options.AuditLossReportInterval < TimeSpan.FromMilliseconds(100) || options.AuditLossReportInterval > TimeSpan.FromHours(1))
        {
            builder.AddError("Mandate:Decisions:AuditLossReportInterval must be between 00:00:00.1 and 01:00:00.");
        }

        if (options.AuditRepeatWindow < TimeSpan.Zero)
        {
            builder.AddError("Mandate:Decisions:AuditRepeatWindow must be zero or positive.");
        }

        if (options.AuditRepeatFlushAfter < TimeSpan.Zero)
        {
            builder.AddError("Mandate:Decisions:AuditRepeatFlushAfter must be zero or positive.");
        }

        for (var i = 0; i < options.PepCredentials.Count; i++)
        {
            var pep = options.PepCredentials[i];
            if (string.IsNullOrWhiteSpace(pep.Name) || pep.Name.Length > 64)
            {
                builder.AddError($"{DecisionOptions.SectionName}:PepCredentials:{i}:Name is required (at most 64 characters).");
            }

            if (pep.TokenSha256.Length != 64 || !pep.TokenSha256.All(Uri.IsHexDigit))
            {
                builder.AddError($"{DecisionOptions.SectionName}:PepCredentials:{i}:TokenSha256 must be 64 hex digits (the SHA-256 of the token).");
            }
        }

        return builder.Build();
    }
}
