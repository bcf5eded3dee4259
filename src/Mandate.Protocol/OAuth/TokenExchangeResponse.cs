using System.Text.Json.Serialization;

namespace Mandate.Protocol.OAuth;

/// <summary>A successful RFC 8693 §2.2.1 response.</summary>
public sealed class TokenExchangeResponse
{
    /// <summary>The issued token (the name is historical: it may be any kind of token).</summary>
    [JsonPropertyName("access_token")]
    public required string AccessToken { get; init; }

    /// <summary>RFC 8693 <c>issued_token_type</c>: a <see cref="TokenTypes"/> URI naming what <c>access_token</c> holds.</summary>
    [JsonPropertyName("issued_token_type")]
    public required string IssuedTokenType { get; init; }

    /// <summary><c>Bearer</c>, <c>DPoP</c>, or <c>N_A</c> when the issued token is not an access token.</summary>
    [JsonPropertyName("token_type")]
    public required string TokenType { get; init; }

    /// <summary>RFC 8693 <c>expires_in</c>: seconds until the issued token expires.</summary>
    [JsonPropertyName("expires_in")]
    public long? ExpiresIn { get; init; }

    /// <summary>Present when it differs from the requested scope (RFC 8693 §2.2.1); Mandate always sends it.</summary>
    [JsonPropertyName("scope")]
    public string? Scope { get; init; }
}
