namespace Mandate.Core.Identity;

/// <summary>A platform token issuer Mandate trusts for attestation (GitHub Actions, a Kubernetes cluster, …).</summary>
internal sealed class OidcIssuerOptions
{
    /// <summary>Exact <c>iss</c> value.</summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>Where the issuer's JWKS is fetched (http(s)); exclusive with <see cref="Jwks"/>.</summary>
    public string? JwksUri { get; set; }

    /// <summary>An inline JWKS document (JSON), for issuers whose keys are distributed out of band.</summary>
    public string? Jwks { get; set; }

    /// <summary>The audience the platform token must carry (what the workload asked its platform for).</summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>Pinned algorithms; a token signed with any other is refused. Asymmetric only (RS*, PS*, ES*, EdDSA).</summary>
    public IList<string> Algorithms { get; } = [];

    /// <summary>Claim → SPIFFE ID rules, tried in order; the first that matches decides.</summary>
    public IList<ClaimMappingRule> Rules { get; } = [];

    /// <summary>How long a fetched JWKS is used before it is fetched again.</summary>
    public TimeSpan JwksCacheDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Least time between two fetches caused by an unknown <c>kid</c> (stops a flood of forged kids from hammering the issuer).</summary>
    public TimeSpan JwksMinRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest one JWKS fetch may take, body included; a slower issuer counts as unreachable.</summary>
    public TimeSpan JwksFetchTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Oldest acceptable <c>iat</c>; tokens issued longer ago are refused even if not yet expired.</summary>
    public TimeSpan MaxTokenAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Whether a token carrying a <c>jti</c> may be exchanged for an SVID only once within its lifetime (on any node:
    /// the record is in the store). Turn off for platforms that reuse a token by design, such as Kubernetes projected
    /// service account tokens, which the kubelet hands out again until it refreshes them.
    /// </summary>
    public bool ReplayProtection { get; set; } = true;

    /// <summary>Whether a token without a <c>jti</c> is refused (by default it is accepted, and cannot be checked for replay).</summary>
    public bool RequireJti { get; set; }
}
