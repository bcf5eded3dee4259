using Mandate.Protocol.OAuth;

namespace Mandate.Core.Delegation;

/// <summary>The form of a token exchange request (RFC 8693 §2.1), before any token is looked at.</summary>
internal static class TokenExchangeRequestRules
{
    /// <summary>Why the request is malformed (grant, token and token-type parameters), or null when it is well formed.</summary>
    public static TokenExchangeOutcome? Check(TokenExchangeRequest request)
    {
        var supported = TokenExchangeService.SupportedTokenTypes;
        if (string.IsNullOrEmpty(request.GrantType))
        {
            return Invalid("grant_type is required");
        }

        if (request.GrantType != GrantTypes.TokenExchange)
        {
            return TokenExchangeOutcome.Refused(OAuthErrorCodes.UnsupportedGrantType, $"grant_type '{request.GrantType}' is not supported; use {GrantTypes.TokenExchange}");
        }

        if (string.IsNullOrEmpty(request.SubjectToken))
        {
            return Invalid("subject_token is required");
        }

        if (string.IsNullOrEmpty(request.SubjectTokenType))
        {
            return Invalid("subject_token_type is required");
        }

        var hasActor = HasActor(request);
        if (hasActor && string.IsNullOrEmpty(request.ActorTokenType))
        {
            return Invalid("actor_token_type is required when actor_token is present");
        }

        if (!hasActor && !string.IsNullOrEmpty(request.ActorTokenType))
        {
            return Invalid("actor_token_type must not be sent without actor_token");
        }

        if (request.RequestedTokenType is { Length: > 0 } requestedType && !supported.Contains(requestedType))
        {
            return Invalid($"requested_token_type '{requestedType}' is not supported; Mandate issues {string.Join(" or ", supported)}");
        }

        if (!supported.Contains(request.SubjectTokenType))
        {
            return Invalid($"subject_token_type '{request.SubjectTokenType}' is not supported; Mandate validates {string.Join(" and ", supported)}");
        }

        if (hasActor && !supported.Contains(request.ActorTokenType))
        {
            return Invalid($"actor_token_type '{request.ActorTokenType}' is not supported; Mandate validates {string.Join(" and ", supported)}");
        }

        return null;
    }

    public static bool HasActor(TokenExchangeRequest request) => !string.IsNullOrEmpty(request.ActorToken);

    /// <summary>The requested scopes (null when none were asked for), or false when <c>scope</c> is not scope tokens.</summary>
    public static bool TryParseScope(string? scope, out IReadOnlyList<string>? requested)
    {
        requested = null;
        if (scope is null)
        {
            return true;
        }

        requested = ScopeSet.Parse(scope);
        return requested.Count > 0 && requested.All(ScopeSet.IsValidToken);
    }

    /// <summary>The issued token's type: the one requested, else JWT for a JWT subject token, else an access token.</summary>
    public static string IssuedTokenType(TokenExchangeRequest request) => string.IsNullOrEmpty(request.RequestedTokenType)
        ? (request.SubjectTokenType == TokenTypes.Jwt ? TokenTypes.Jwt : TokenTypes.AccessToken)
        : request.RequestedTokenType;

    public static TokenExchangeOutcome Invalid(string description) => TokenExchangeOutcome.Refused(OAuthErrorCodes.InvalidRequest, description);
}
