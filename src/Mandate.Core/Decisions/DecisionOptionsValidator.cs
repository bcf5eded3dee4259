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

        if (options.MaxRequestBodyBytes <= 0 || options.MaxBatchItems <= 0 || options.MaxSearchPageSize <= 0)
        {
            builder.AddError("Mandate:Decisions limits must be positive.");
        }

        return builder.Build();
    }
}
