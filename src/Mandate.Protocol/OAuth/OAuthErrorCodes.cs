namespace Mandate.Protocol.OAuth;

/// <summary>Error codes of RFC 6749 §5.2, RFC 8693 §2.2.2, RFC 8707 §2 and RFC 7009 §2.2.1.</summary>
public static class OAuthErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string InvalidScope = "invalid_scope";
    public const string InvalidTarget = "invalid_target";
    public const string UnsupportedTokenType = "unsupported_token_type";
    public const string InvalidToken = "invalid_token";
}
