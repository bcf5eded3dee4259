namespace Mandate.Core.Operators;

/// <summary>Operator tokens and OIDC sign-in (configuration section <c>Mandate:Operators</c>).</summary>
internal sealed class OperatorOptions
{
    public const string SectionName = "Mandate:Operators";

    /// <summary>Lifetime of a personal API token when the request names none.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Longest lifetime a personal API token may be given.</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Lifetime of the session token handed out at OIDC sign-in.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>OIDC sign-in; off unless <see cref="OperatorOidcOptions.Issuer"/> is set.</summary>
    public OperatorOidcOptions Oidc { get; set; } = new();
}

/// <summary>
/// The OIDC provider operators sign in with (<c>Mandate:Operators:Oidc</c>): its issuer, the audience its ID tokens
/// carry for Mandate (the client id registered there), where its keys are (a JWKS URI, an inline JWKS, or discovery
/// from <c>{Issuer}/.well-known/openid-configuration</c>), and which claim names the operator.
/// </summary>
internal sealed class OperatorOidcOptions
{
    /// <summary>Exact <c>iss</c> value; empty turns OIDC sign-in off.</summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>The audience (<c>aud</c>) the ID token must carry: Mandate's client id at the provider.</summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>Where the provider's JWKS is; when neither this nor <see cref="Jwks"/> is set, discovery finds it.</summary>
    public string? JwksUri { get; set; }

    /// <summary>An inline JWKS document (keys distributed out of band).</summary>
    public string? Jwks { get; set; }

    /// <summary>Pinned signature algorithms (asymmetric only); default RS256 and ES256.</summary>
    public IList<string> Algorithms { get; } = [];

    /// <summary>The claim whose value is matched against an operator's OIDC subject (default <c>sub</c>; <c>email</c> is common).</summary>
    public string Claim { get; set; } = "sub";

    /// <summary>Oldest acceptable <c>iat</c>: an ID token is exchanged soon after the provider issued it.</summary>
    public TimeSpan MaxTokenAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Clock difference tolerated on <c>exp</c>, <c>nbf</c> and <c>iat</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan JwksCacheDuration { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan JwksMinRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The console's sign-in button says "Sign in with {DisplayName}".</summary>
    public string DisplayName { get; set; } = "OIDC";

    /// <summary>The client id the console sends to the provider (authorization code flow); default <see cref="Audience"/>.</summary>
    public string? ClientId { get; set; }

    /// <summary>A confidential client's secret (sent to the token endpoint with HTTP Basic); prefer <see cref="ClientSecretFile"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>A file holding the client secret (its first line), read when the console exchanges a code.</summary>
    public string? ClientSecretFile { get; set; }

    /// <summary>The provider's authorization endpoint; default from discovery.</summary>
    public string? AuthorizationEndpoint { get; set; }

    /// <summary>The provider's token endpoint; default from discovery.</summary>
    public string? TokenEndpoint { get; set; }

    /// <summary>
    /// The console's callback address registered with the provider (<c>https://mandate.example.org/console/oidc/callback</c>);
    /// default built from the request's scheme and host, which is wrong behind a proxy that rewrites them.
    /// </summary>
    public string? RedirectUri { get; set; }

    /// <summary>Scopes the console asks for; <c>openid</c> is always sent.</summary>
    public string Scope { get; set; } = "openid profile email";

    public string EffectiveClientId => string.IsNullOrWhiteSpace(ClientId) ? Audience : ClientId;

    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer);

    public IReadOnlyList<string> EffectiveAlgorithms => Algorithms.Count > 0 ? [.. Algorithms] : ["RS256", "ES256"];
}
