namespace Mandate.Protocol.OAuth;

/// <summary>Token-type URIs of RFC 8693 §3 (used in <c>subject_token_type</c>, <c>actor_token_type</c>, <c>requested_token_type</c> and <c>issued_token_type</c>).</summary>
public static class TokenTypes
{
    public const string Prefix = "urn:ietf:params:oauth:token-type:";
    public const string AccessToken = Prefix + "access_token";
    public const string RefreshToken = Prefix + "refresh_token";
    public const string IdToken = Prefix + "id_token";
    public const string Saml1 = Prefix + "saml1";
    public const string Saml2 = Prefix + "saml2";
    public const string Jwt = Prefix + "jwt";
}
