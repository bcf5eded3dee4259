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

        for (var i = 0; i < options.TrustedIssuers.Count; i++)
        {
            var issuer = options.TrustedIssuers[i];
            var path = $"{TokenExchangeOptions.SectionName}:TrustedIssuers:{i}";
            if (string.IsNullOrWhiteSpace(issuer.Issuer) && string.IsNullOrWhiteSpace(issuer.TrustDomain))
            {
                builder.AddError($"{path}:Issuer (or TrustDomain) is required.");
            }

            if (string.IsNullOrWhiteSpace(issuer.Jwks))
            {
                builder.AddError($"{path}:Jwks is required (the issuer's JWKS as JSON).");
            }

            if (issuer.Algorithms.Count == 0)
            {
                builder.AddError($"{path}:Algorithms must pin at least one algorithm.");
            }
        }

        for (var i = 0; i < options.Clients.Count; i++)
        {
            var client = options.Clients[i];
            var path = $"{TokenExchangeOptions.SectionName}:Clients:{i}";
            if (string.IsNullOrWhiteSpace(client.ClientId))
            {
                builder.AddError($"{path}:ClientId is required.");
            }

            if (client.SecretSha256.Length != 64 || !client.SecretSha256.All(Uri.IsHexDigit))
            {
                builder.AddError($"{path}:SecretSha256 must be 64 hex digits (the SHA-256 of the client secret).");
            }
        }

        return builder.Build();
    }
}
