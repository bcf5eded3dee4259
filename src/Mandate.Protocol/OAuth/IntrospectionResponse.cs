using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.OAuth;

/// <summary>An RFC 7662 §2.2 introspection response. An inactive token yields only <c>{"active": false}</c>.</summary>
public sealed class IntrospectionResponse
{
    /// <summary>RFC 7662 <c>active</c>: whether the token is valid now (not expired, revoked or unknown).</summary>
    [JsonPropertyName("active")]
    public required bool Active { get; init; }

    /// <summary>RFC 7662 <c>scope</c>: the token's space-separated scopes.</summary>
    [JsonPropertyName("scope")]
    public string? Scope { get; init; }

    /// <summary>RFC 7662 <c>client_id</c>: the client the token was issued to.</summary>
    [JsonPropertyName("client_id")]
    public string? ClientId { get; init; }

    /// <summary>RFC 7662 <c>token_type</c>: how the token is presented, for example <c>Bearer</c> or <c>DPoP</c>.</summary>
    [JsonPropertyName("token_type")]
    public string? TokenType { get; init; }

    /// <summary>RFC 7662 <c>exp</c>: expiry, in seconds since the Unix epoch.</summary>
    [JsonPropertyName("exp")]
    public long? Exp { get; init; }

    /// <summary>RFC 7662 <c>iat</c>: issue time, in seconds since the Unix epoch.</summary>
    [JsonPropertyName("iat")]
    public long? Iat { get; init; }

    /// <summary>RFC 7662 <c>nbf</c>: the time before which the token is not valid, in seconds since the Unix epoch.</summary>
    [JsonPropertyName("nbf")]
    public long? Nbf { get; init; }

    /// <summary>RFC 7662 <c>sub</c>: the subject of the token (for Mandate, usually a SPIFFE id).</summary>
    [JsonPropertyName("sub")]
    public string? Sub { get; init; }

    /// <summary>A string or an array of strings, as in the token.</summary>
    [JsonPropertyName("aud")]
    public JsonElement? Aud { get; init; }

    /// <summary>RFC 7662 <c>iss</c>: who issued the token.</summary>
    [JsonPropertyName("iss")]
    public string? Iss { get; init; }

    /// <summary>RFC 7662 <c>jti</c>: the token's unique identifier.</summary>
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
