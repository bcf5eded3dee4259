namespace Mandate.Core.Delegation;

/// <summary>
/// An issuer whose JWTs Mandate accepts as input tokens: matched by <c>iss</c>, or, for JWT-SVIDs without <c>iss</c>,
/// by the trust domain of their SPIFFE ID <c>sub</c>. Keys are a JWKS document.
/// </summary>
internal sealed class TrustedIssuerOptions
{
    public string? Issuer { get; set; }

    /// <summary>A SPIFFE trust domain (<c>example.org</c>) whose JWT-SVIDs are accepted.</summary>
    public string? TrustDomain { get; set; }

    /// <summary>The issuer's JWKS as JSON (<c>{"keys":[…]}</c>).</summary>
    public string? Jwks { get; set; }

    /// <summary>Accepted signing algorithms (pinned; <c>none</c> and HMAC are never accepted).</summary>
    public IList<string> Algorithms { get; } = ["ES256", "ES384", "RS256", "PS256"];
}
