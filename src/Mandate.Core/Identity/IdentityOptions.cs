namespace Mandate.Core.Identity;

/// <summary>
/// Workload identity settings (configuration section <c>Mandate:Identity</c>, e.g. <c>Mandate__Identity__TrustDomain</c>).
/// Validated when the server starts; a bad value stops it with a message naming the setting.
/// </summary>
internal sealed class IdentityOptions
{
    public const string SectionName = "Mandate:Identity";

    /// <summary>The trust domain whose identities Mandate issues (demo mode: <c>demo.mandate.local</c>).</summary>
    public string TrustDomain { get; set; } = "mandate.local";

    /// <summary>The <c>iss</c> of every token Mandate signs, and the audience of tokens meant for Mandate itself. Default <c>spiffe://TRUST-DOMAIN</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>JWT signing algorithm for new keys: <c>ES256</c> (default), <c>RS256</c> (RSA-3072) or <c>EdDSA</c> (Ed25519, RFC 8037). Existing keys keep their algorithm until they rotate.</summary>
    public string SigningAlgorithm { get; set; } = "ES256";

    /// <summary>How long a JWT signing key signs before its successor takes over.</summary>
    public TimeSpan KeyRotationInterval { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long before activation a successor key (a JWT signing key, or a renewed X.509 CA) is published, so relying
    /// parties fetch it before it signs. A renewed CA starts signing no later than the old CA's expiry.
    /// </summary>
    public TimeSpan KeyPrepublication { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The longest lifetime of any token signed with the key ring (by any feature). A retired key stays published this
    /// long (plus <see cref="ClockSkew"/>) after it stopped signing, so every token it signed can still be validated.
    /// </summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the server checks whether a key is due for rotation and reloads keys written by other nodes.</summary>
    public TimeSpan KeyCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Tolerated clock difference on <c>exp</c>, <c>nbf</c> and <c>iat</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest lifetime an inventory identity may be registered with.</summary>
    public TimeSpan MaxIdentityLifetime { get; set; } = TimeSpan.FromDays(365);

    public TimeSpan JwtSvidDefaultTtl { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan JwtSvidMaxTtl { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan X509SvidDefaultTtl { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan X509SvidMaxTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a published X.509-SVID CRL is valid (its <c>nextUpdate</c> minus <c>thisUpdate</c>); the server signs a
    /// new one when a revocation changes the list or half of this has passed. At most 7 days.
    /// </summary>
    public TimeSpan X509CrlValidity { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Validity of the self-signed X.509 root generated at first start.</summary>
    public TimeSpan CaLifetime { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Suggested bundle polling interval, published as <c>spiffe_refresh_hint</c>.</summary>
    public TimeSpan BundleRefreshHint { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan JoinTokenDefaultTtl { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan JoinTokenMaxTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How many validated JWT-SVIDs the validator remembers (by the SHA-256 of the token, never the token) so that a
    /// token presented again skips the signature verification; time, audience, key and inventory checks still run on
    /// every presentation. 0 turns the cache off.
    /// </summary>
    public int ValidatedTokenCacheSize { get; set; } = 10_000;

    /// <summary>Trusted OIDC issuers whose tokens can be exchanged for SVIDs.</summary>
    public IList<OidcIssuerOptions> OidcIssuers { get; } = [];

    public string EffectiveIssuer => string.IsNullOrWhiteSpace(Issuer) ? SpiffeId.Scheme + TrustDomain : Issuer;
}
