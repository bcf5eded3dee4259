using Mandate.Core.Identity.Keys;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Identity;

/// <summary>Checks identity settings at start; each failure names the setting.</summary>
internal sealed class IdentityOptionsValidator : IValidateOptions<IdentityOptions>
{
    public ValidateOptionsResult Validate(string? name, IdentityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!SpiffeId.IsValidTrustDomain(options.TrustDomain, out var tdError))
        {
            failures.Add($"Mandate:Identity:TrustDomain: {tdError}.");
        }

        if (SigningAlgorithms.Refusal(options.SigningAlgorithm) is { } refusal)
        {
            failures.Add($"Mandate:Identity:SigningAlgorithm: {refusal}.");
        }

        void Positive(TimeSpan value, string setting)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"Mandate:Identity:{setting}: must be positive.");
            }
        }

        Positive(options.KeyRotationInterval, nameof(options.KeyRotationInterval));
        Positive(options.MaxTokenLifetime, nameof(options.MaxTokenLifetime));
        Positive(options.KeyCheckInterval, nameof(options.KeyCheckInterval));
        Positive(options.MaxIdentityLifetime, nameof(options.MaxIdentityLifetime));
        Positive(options.JwtSvidDefaultTtl, nameof(options.JwtSvidDefaultTtl));
        Positive(options.JwtSvidMaxTtl, nameof(options.JwtSvidMaxTtl));
        Positive(options.X509SvidDefaultTtl, nameof(options.X509SvidDefaultTtl));
        Positive(options.X509SvidMaxTtl, nameof(options.X509SvidMaxTtl));
        Positive(options.CaLifetime, nameof(options.CaLifetime));
        Positive(options.BundleRefreshHint, nameof(options.BundleRefreshHint));
        Positive(options.JoinTokenDefaultTtl, nameof(options.JoinTokenDefaultTtl));
        Positive(options.JoinTokenMaxTtl, nameof(options.JoinTokenMaxTtl));
        if (options.KeyPrepublication < TimeSpan.Zero || options.KeyPrepublication >= options.KeyRotationInterval)
        {
            failures.Add("Mandate:Identity:KeyPrepublication: must be at least zero and shorter than KeyRotationInterval.");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            failures.Add("Mandate:Identity:ClockSkew: must be between 0 and 5 minutes.");
        }

        if (options.ValidatedTokenCacheSize is < 0 or > 10_000_000)
        {
            failures.Add("Mandate:Identity:ValidatedTokenCacheSize: must be between 0 (off) and 10,000,000.");
        }

        if (options.JwtSvidDefaultTtl > options.JwtSvidMaxTtl)
        {
            failures.Add("Mandate:Identity:JwtSvidDefaultTtl: must not exceed JwtSvidMaxTtl.");
        }

        if (options.JwtSvidMaxTtl > options.MaxTokenLifetime)
        {
            failures.Add("Mandate:Identity:JwtSvidMaxTtl: must not exceed MaxTokenLifetime (a retired key is published only that long).");
        }

        if (options.X509SvidDefaultTtl > options.X509SvidMaxTtl)
        {
            failures.Add("Mandate:Identity:X509SvidDefaultTtl: must not exceed X509SvidMaxTtl.");
        }

        if (options.X509SvidMaxTtl * 3 > options.CaLifetime)
        {
            failures.Add("Mandate:Identity:X509SvidMaxTtl: must be at most a third of CaLifetime (the CA is renewed with a third of its life left).");
        }

        if (options.X509CrlValidity < TimeSpan.FromMinutes(1) || options.X509CrlValidity > TimeSpan.FromDays(7))
        {
            failures.Add("Mandate:Identity:X509CrlValidity: must be between 1 minute and 7 days.");
        }

        if (options.JoinTokenDefaultTtl > options.JoinTokenMaxTtl)
        {
            failures.Add("Mandate:Identity:JoinTokenDefaultTtl: must not exceed JoinTokenMaxTtl.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.OidcIssuers.Count; i++)
        {
            ValidateIssuer(options.OidcIssuers[i], $"Mandate:Identity:OidcIssuers:{i}", options.TrustDomain, failures);
            if (!string.IsNullOrWhiteSpace(options.OidcIssuers[i].Issuer) && !seen.Add(options.OidcIssuers[i].Issuer))
            {
                failures.Add($"Mandate:Identity:OidcIssuers:{i}:Issuer: '{options.OidcIssuers[i].Issuer}' is configured twice; tokens are matched to their issuer by iss, so each issuer needs exactly one entry.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateIssuer(OidcIssuerOptions issuer, string path, string trustDomain, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(issuer.Issuer))
        {
            failures.Add($"{path}:Issuer: required.");
        }

        if (string.IsNullOrWhiteSpace(issuer.Audience))
        {
            failures.Add($"{path}:Audience: required (the audience platform tokens must carry for Mandate).");
        }

        var hasUri = !string.IsNullOrWhiteSpace(issuer.JwksUri);
        var hasInline = !string.IsNullOrWhiteSpace(issuer.Jwks);
        if (hasUri == hasInline)
        {
            failures.Add($"{path}: give exactly one of JwksUri and Jwks.");
        }

        if (hasUri && (!Uri.TryCreate(issuer.JwksUri, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add($"{path}:JwksUri: must be an absolute http(s) URL.");
        }

        if (issuer.Algorithms.Count == 0)
        {
            failures.Add($"{path}:Algorithms: pin at least one algorithm (e.g. RS256).");
        }

        foreach (var algorithm in issuer.Algorithms)
        {
            if (!SigningAlgorithms.Verifiable.Contains(algorithm))
            {
                failures.Add($"{path}:Algorithms: '{algorithm}' is not allowed; asymmetric RS/PS/ES algorithms and EdDSA only (none and HMAC are refused).");
            }
        }

        if (issuer.Rules.Count == 0)
        {
            failures.Add($"{path}:Rules: at least one claim mapping rule is needed.");
        }

        for (var r = 0; r < issuer.Rules.Count; r++)
        {
            var rule = issuer.Rules[r];
            if (!rule.SpiffeId.StartsWith(SpiffeId.Scheme + trustDomain + "/", StringComparison.Ordinal))
            {
                failures.Add($"{path}:Rules:{r}:SpiffeId: must start with spiffe://{trustDomain}/ (Mandate issues only in its own trust domain).");
            }
        }

        foreach (var (value, setting) in new[]
        {
            (issuer.JwksCacheDuration, nameof(OidcIssuerOptions.JwksCacheDuration)),
            (issuer.JwksFetchTimeout, nameof(OidcIssuerOptions.JwksFetchTimeout)),
            (issuer.MaxTokenAge, nameof(OidcIssuerOptions.MaxTokenAge)),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{path}:{setting}: must be positive.");
            }
        }

        if (issuer.JwksMinRefreshInterval < TimeSpan.Zero)
        {
            failures.Add($"{path}:{nameof(OidcIssuerOptions.JwksMinRefreshInterval)}: must be zero or positive.");
        }
    }
}
