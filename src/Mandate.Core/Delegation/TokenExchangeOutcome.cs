using Mandate.Protocol.OAuth;

namespace Mandate.Core.Delegation;

/// <summary>A token-exchange answer: the RFC 8693 response, or an RFC 6749 §5.2 error with its HTTP status.</summary>
internal sealed record TokenExchangeOutcome(TokenExchangeResponse? Response, OAuthError? Error, int Status)
{
    public static TokenExchangeOutcome Issued(TokenExchangeResponse response) => new(response, null, 200);

    public static TokenExchangeOutcome Refused(string error, string description, int status = 400) =>
        new(null, new OAuthError { Error = error, ErrorDescription = description }, status);
}
