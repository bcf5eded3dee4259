using System.Text.Json.Serialization;

namespace Mandate.Protocol.OAuth;

/// <summary>An RFC 6749 §5.2 error response body.</summary>
public sealed class OAuthError
{
    [JsonPropertyName("error")]
    public required string Error { get; init; }

    [JsonPropertyName("error_description")]
    public string? ErrorDescription { get; init; }

    [JsonPropertyName("error_uri")]
    public string? ErrorUri { get; init; }
}
