namespace Mandate.Core.Delegation;

/// <summary>
/// RFC 8693 token exchange settings (configuration section <c>Mandate:TokenExchange</c>). The Mandate issuer is always
/// an accepted audience for input tokens and its own tokens are always trusted; everything else is configured here.
/// </summary>
internal sealed class TokenExchangeOptions
{
    public const string SectionName = "Mandate:TokenExchange";

    /// <summary>Further identifiers of this STS accepted as the <c>aud</c> of subject and actor tokens (e.g. its public URL).</summary>
    public IList<string> Audiences { get; } = [];

    /// <summary>Other issuers whose JWTs may be exchanged (and used as actor tokens or client assertions).</summary>
    public IList<TrustedIssuerOptions> TrustedIssuers { get; } = [];

    /// <summary>
    /// Audiences Mandate issues for: an exact value, or a prefix ending in <c>*</c> (e.g. <c>spiffe://example.org/*</c>).
    /// SPIFFE IDs of Mandate's own trust domain and the Mandate issuer are always allowed.
    /// </summary>
    public IList<string> AllowedAudiences { get; } = [];

    /// <summary>
    /// Resource servers Mandate issues for (RFC 8707): a <c>resource</c> matches an entry equal to it or a path below it,
    /// and the issued <c>aud</c> is the entry (e.g. <c>https://backend.example.com</c> for <c>…/api</c>).
    /// </summary>
    public IList<string> AllowedResources { get; } = [];

    /// <summary>The most actors a chain may hold after an exchange.</summary>
    public int MaxChainDepth { get; set; } = 5;

    /// <summary>Lifetime of an issued token when the subject token allows it (never beyond the subject token's expiry).</summary>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Whether an exchange without an actor token (impersonation, RFC 8693 §1.1) is allowed.</summary>
    public bool AllowImpersonation { get; set; } = true;

    /// <summary>
    /// Clients trusted to exchange any subject token without an actor token (RFC 8693 §1.1 impersonation, e.g. a gateway
    /// that re-addresses the tokens it receives). Empty by default: then only the token's holder (its subject, or its
    /// current actor when delegated) or a client its <c>may_act</c> names may.
    /// </summary>
    public IList<string> ImpersonatingClients { get; } = [];

    /// <summary>Confidential clients that authenticate with HTTP Basic (<c>client_secret_basic</c>).</summary>
    public IList<OAuthClientOptions> Clients { get; } = [];

    /// <summary>Tolerated clock difference on <c>exp</c>, <c>nbf</c> and <c>iat</c> of input tokens.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
