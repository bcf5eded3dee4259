namespace Mandate.Protocol.OAuth;

/// <summary>OAuth 2.0 <c>grant_type</c> and <c>client_assertion_type</c> values Mandate accepts.</summary>
public static class GrantTypes
{
    /// <summary>RFC 8693 §2.1: the only token-exchange grant type (with a hyphen).</summary>
    public const string TokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange";

    /// <summary>RFC 7523 §2.2: a JWT used as client authentication.</summary>
    public const string JwtBearerClientAssertion = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
}
