namespace Mandate.Core.Identity.Keys;

/// <summary>What a stored key is for.</summary>
internal static class KeyPurposes
{
    /// <summary>Signs JWTs (JWT-SVIDs, task credentials, …).</summary>
    public const string Jwt = "jwt";

    /// <summary>
    /// Signs JWT-SVIDs when the ring's configured algorithm is not one the SPIFFE JWT-SVID specification allows
    /// (<see cref="SigningAlgorithms.JwtSvid"/>: EdDSA is not): an ES256 key with the same rotation schedule, overlap
    /// and publication (JWKS and SPIFFE bundle) as the ring's own. Absent when the configured algorithm is allowed.
    /// </summary>
    public const string JwtSvid = "jwt-svid";

    /// <summary>The X.509 certificate authority that signs X.509-SVIDs.</summary>
    public const string X509Authority = "x509-ca";
}
