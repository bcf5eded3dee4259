using System.Text.Json.Serialization;

namespace Mandate.Protocol.OAuth;

/// <summary>An RFC 6749 §5.2 error response body.</summary>
public sealed class OAuthError
{
    /// <summary>RFC 6749 <c>error</c>: one of <see cref="OAuthErrorCodes"/>.</summary>
    [JsonPropertyName("error")]
    public required string Error { get; init; }

    /// <summary>RFC 6749 <c>error_description</c>: a human-readable explanation for the developer.</summary>
    [JsonPropertyName("error_description")]
    public string? ErrorDescription { get; init; }

    /// <summary>RFC 6749 <c>error_uri</c>: a page that explains the error.</summary>
    [JsonPropertyName("error_uri")]
    public string? ErrorUri { get; init; }
}
