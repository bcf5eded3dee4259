namespace Mandate.Core.Identity.Keys;

/// <summary>What a stored key is for.</summary>
internal static class KeyPurposes
{
    /// <summary>Signs JWTs (JWT-SVIDs, task credentials, …).</summary>
    public const string Jwt = "jwt";

    /// <summary>The X.509 certificate authority that signs X.509-SVIDs.</summary>
    public const string X509Authority = "x509-ca";
}
