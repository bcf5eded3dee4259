using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.OAuth;

/// <summary>An RFC 7662 §2.2 introspection response. An inactive token yields only <c>{"active": false}</c>.</summary>
public sealed class IntrospectionResponse
{
    [JsonPropertyName("active")]
    public required bool Active { get; init; }

    [JsonPropertyName("scope")]
    public string? Scope { get; init; }

    [JsonPropertyName("client_id")]
    public string? ClientId { get; init; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; init; }

    [JsonPropertyName("exp")]
    public long? Exp { get; init; }

    [JsonPropertyName("iat")]
    public long? Iat { get; init; }

    [JsonPropertyName("nbf")]
    public long? Nbf { get; init; }

    [JsonPropertyName("sub")]
    public string? Sub { get; init; }

    /// <summary>A string or an array of strings, as in the token.</summary>
    [JsonPropertyName("aud")]
    public JsonElement? Aud { get; init; }

    [JsonPropertyName("iss")]
    public string? Iss { get; init; }

    [JsonPropertyName("jti")]
    public string? Jti { get; init; }

    /// <summary>The actor chain (RFC 8693 §4.1), nested as in the token.</summary>
    [JsonPropertyName("act")]
    public JsonElement? Act { get; init; }

    /// <summary>Confirmation (RFC 7800 / RFC 9449 <c>jkt</c> / RFC 8705 <c>x5t#S256</c>).</summary>
    [JsonPropertyName("cnf")]
    public JsonElement? Cnf { get; init; }

    /// <summary>Mandate extension: the task the credential belongs to.</summary>
    [JsonPropertyName("task_id")]
    public string? TaskId { get; init; }

    /// <summary>Mandate extension: <c>task</c>, <c>exchanged</c> or <c>svid</c>.</summary>
    [JsonPropertyName("credential_kind")]
    public string? CredentialKind { get; init; }
}
