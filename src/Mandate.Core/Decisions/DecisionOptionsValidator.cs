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

        if (options.MaxRequestBodyBytes <= 0 || options.MaxBatchItems <= 0 || options.MaxSearchPageSize <= 0
            || options.MaxIdentifierLength <= 0 || options.MaxPropertiesBytes <= 0 || options.MaxContextBytes <= 0)
        {
            builder.AddError("Mandate:Decisions limits must be positive.");
        }

        if (options.AuditRepeatWindow < TimeSpan.Zero)
        {
            builder.AddError("Mandate:Decisions:AuditRepeatWindow must be zero or positive.");
        }

        foreach (var pep in options.PepCredentials)
        {
            if (string.IsNullOrWhiteSpace(pep.Name) || pep.Name.Length > 64
                || pep.TokenSha256.Length != 64 || !pep.TokenSha256.All(Uri.IsHexDigit))
            {
                builder.AddError("Mandate:Decisions:PepCredentials entries need a Name (at most 64 characters) and a 64-digit hex TokenSha256.");
            }
        }

        return builder.Build();
    }
}
