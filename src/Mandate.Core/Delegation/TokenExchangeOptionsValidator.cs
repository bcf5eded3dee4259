using Microsoft.Extensions.Options;

namespace Mandate.Core.Delegation;

/// <summary>Refuses, at start, token exchange settings outside their range.</summary>
internal sealed class TokenExchangeOptionsValidator : IValidateOptions<TokenExchangeOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenExchangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        if (options.MaxChainDepth < 0)
        {
            builder.AddError($"{TokenExchangeOptions.SectionName}:{nameof(TokenExchangeOptions.MaxChainDepth)} must be zero or positive.");
        }

        if (options.DefaultLifetime <= TimeSpan.Zero)
        {
            builder.AddError($"{TokenExchangeOptions.SectionName}:{nameof(TokenExchangeOptions.DefaultLifetime)} must be positive.");
        }

        if (options.ClockSkew < TimeSpan.Zero)
        {
            builder.AddError($"{TokenExchangeOptions.SectionName}:{nameof(TokenExchangeOptions.ClockSkew)} must be zero or positive.");
        }

        return builder.Build();
    }
}
