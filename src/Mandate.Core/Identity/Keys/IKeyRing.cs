using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Identity.Keys;

/// <summary>
/// Mandate's signing keys. Tokens signed with <see cref="CurrentSigningCredentials"/> must not live longer than
/// <see cref="MaxTokenLifetime"/>: a retired key stays published exactly that long after it stops signing.
/// Validate with <see cref="ValidationKeys"/> called per validation (the set changes as keys rotate).
/// </summary>
internal interface IKeyRing
{
    string TrustDomain { get; }

    /// <summary>The <c>iss</c> of every token Mandate signs.</summary>
    string Issuer { get; }

    /// <summary>The longest a token signed by this ring may live.</summary>
    TimeSpan MaxTokenLifetime { get; }

    /// <summary>
    /// Credentials of the key that signs now (<c>kid</c> set, ES256 unless configured otherwise). Every purpose shares
    /// the JWT signing key today; the parameter lets a purpose get a key of its own later without changing callers.
    /// </summary>
    SigningCredentials CurrentSigningCredentials(string purpose = "jwt");

    /// <summary>Public keys that validate tokens now: the signing key, its pre-published successor, and retired keys still inside their overlap.</summary>
    IReadOnlyList<SecurityKey> ValidationKeys();

    /// <summary>The public JWKS (same keys as <see cref="ValidationKeys"/>).</summary>
    JsonWebKeySet PublicJwks();
}
