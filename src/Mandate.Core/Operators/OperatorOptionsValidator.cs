using Microsoft.Extensions.Options;

namespace Mandate.Core.Operators;

/// <summary>Refuses, at start, operator settings that cannot work.</summary>
internal sealed class OperatorOptionsValidator : IValidateOptions<OperatorOptions>
{
    private static readonly HashSet<string> Asymmetric = new(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    };

    public ValidateOptionsResult Validate(string? name, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        if (options.TokenLifetime <= TimeSpan.Zero || options.MaxTokenLifetime < options.TokenLifetime)
        {
            builder.AddError("Mandate:Operators:TokenLifetime must be positive and at most MaxTokenLifetime.");
        }

        if (options.SessionLifetime <= TimeSpan.Zero || options.SessionLifetime > TimeSpan.FromHours(12))
        {
            builder.AddError("Mandate:Operators:SessionLifetime must be positive and at most 12 hours.");
        }

        var oidc = options.Oidc;
        if (oidc.Enabled)
        {
            if (!Uri.TryCreate(oidc.Issuer, UriKind.Absolute, out var issuer) || (issuer.Scheme != Uri.UriSchemeHttps && issuer.Scheme != Uri.UriSchemeHttp))
            {
                builder.AddError("Mandate:Operators:Oidc:Issuer must be an http(s) URL.");
            }

            if (string.IsNullOrWhiteSpace(oidc.Audience))
            {
                builder.AddError("Mandate:Operators:Oidc:Audience is required: the client id Mandate has at the provider.");
            }

            if (!string.IsNullOrWhiteSpace(oidc.JwksUri) && !string.IsNullOrWhiteSpace(oidc.Jwks))
            {
                builder.AddError("Mandate:Operators:Oidc: set JwksUri or Jwks, not both.");
            }

            if (oidc.JwksUri is { Length: > 0 } uri && !Uri.TryCreate(uri, UriKind.Absolute, out _))
            {
                builder.AddError("Mandate:Operators:Oidc:JwksUri must be an absolute URL.");
            }

            if (oidc.EffectiveAlgorithms.FirstOrDefault(a => !Asymmetric.Contains(a)) is { } bad)
            {
                builder.AddError($"Mandate:Operators:Oidc:Algorithms: '{bad}' is not an asymmetric JWS algorithm.");
            }

            if (string.IsNullOrWhiteSpace(oidc.Claim))
            {
                builder.AddError("Mandate:Operators:Oidc:Claim must name a claim.");
            }

            foreach (var (setting, value) in new[] { ("AuthorizationEndpoint", oidc.AuthorizationEndpoint), ("TokenEndpoint", oidc.TokenEndpoint), ("RedirectUri", oidc.RedirectUri) })
            {
                if (value is { Length: > 0 } && (!Uri.TryCreate(value, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp)))
                {
                    builder.AddError($"Mandate:Operators:Oidc:{setting} must be an absolute http(s) URL.");
                }
            }

            if (!string.IsNullOrWhiteSpace(oidc.ClientSecret) && !string.IsNullOrWhiteSpace(oidc.ClientSecretFile))
            {
                builder.AddError("Mandate:Operators:Oidc: set ClientSecret or ClientSecretFile, not both.");
            }

            if (oidc.ClientSecretFile is { Length: > 0 } secretFile && !File.Exists(secretFile))
            {
                builder.AddError("Mandate:Operators:Oidc:ClientSecretFile names no file.");
            }

            if (oidc.MaxTokenAge <= TimeSpan.Zero || oidc.ClockSkew < TimeSpan.Zero || oidc.FetchTimeout <= TimeSpan.Zero)
            {
                builder.AddError("Mandate:Operators:Oidc: MaxTokenAge and FetchTimeout must be positive, ClockSkew not negative.");
            }
        }

        return builder.Build();
    }
}
