namespace Mandate.Protocol.OAuth;

/// <summary>Error codes of RFC 6749 §5.2, RFC 8693 §2.2.2, RFC 8707 §2 and RFC 7009 §2.2.1.</summary>
public static class OAuthErrorCodes
{
    /// <summary>The request is malformed: a parameter is missing, repeated or unsupported (RFC 6749).</summary>
    public const string InvalidRequest = "invalid_request";
    /// <summary>Client authentication failed (RFC 6749).</summary>
    public const string InvalidClient = "invalid_client";
    /// <summary>The presented grant or token is invalid, expired or revoked (RFC 6749).</summary>
    public const string InvalidGrant = "invalid_grant";
    /// <summary>The client may not use this grant type (RFC 6749).</summary>
    public const string UnauthorizedClient = "unauthorized_client";
    /// <summary>The server does not support this grant type (RFC 6749).</summary>
    public const string UnsupportedGrantType = "unsupported_grant_type";
    /// <summary>The requested scope is invalid or exceeds what may be granted (RFC 6749).</summary>
    public const string InvalidScope = "invalid_scope";
    /// <summary>The requested <c>resource</c> or <c>audience</c> is not acceptable (RFC 8693, RFC 8707).</summary>
    public const string InvalidTarget = "invalid_target";
    /// <summary>The server cannot handle this token type (RFC 7009, also used for RFC 8693 token types).</summary>
    public const string UnsupportedTokenType = "unsupported_token_type";
    /// <summary>The presented token is invalid (RFC 6750).</summary>
    public const string InvalidToken = "invalid_token";
}
