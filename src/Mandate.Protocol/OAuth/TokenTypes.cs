namespace Mandate.Protocol.OAuth;

/// <summary>Token-type URIs of RFC 8693 §3 (used in <c>subject_token_type</c>, <c>actor_token_type</c>, <c>requested_token_type</c> and <c>issued_token_type</c>).</summary>
public static class TokenTypes
{
    /// <summary>The prefix shared by the token-type URIs that RFC 8693 registers.</summary>
    public const string Prefix = "urn:ietf:params:oauth:token-type:";
    /// <summary>An OAuth 2.0 access token.</summary>
    public const string AccessToken = Prefix + "access_token";
    /// <summary>An OAuth 2.0 refresh token.</summary>
    public const string RefreshToken = Prefix + "refresh_token";
    /// <summary>An OpenID Connect ID token.</summary>
    public const string IdToken = Prefix + "id_token";
    /// <summary>A base64url-encoded SAML 1.1 assertion.</summary>
    public const string Saml1 = Prefix + "saml1";
    /// <summary>A base64url-encoded SAML 2.0 assertion.</summary>
    public const string Saml2 = Prefix + "saml2";
    /// <summary>A JWT, whatever it is used for (Mandate's task credentials and JWT-SVIDs).</summary>
    public const string Jwt = Prefix + "jwt";
}
