using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>An AuthZEN Subject or Resource: a <c>type</c>, an <c>id</c> and optional free-form <c>properties</c>.</summary>
public sealed class AuthZenEntity
{
    public AuthZenEntity()
    {
    }

    public AuthZenEntity(string type, string? id, JsonElement? properties = null)
    {
        Type = type;
        Id = id;
        Properties = properties;
    }

    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("id")]
    public string? Id { get; set; }

    /// <summary>A JSON object of attributes; the decision point uses them in place of stored ones.</summary>
    [JsonPropertyName("properties")]
    public JsonElement? Properties { get; set; }
}
