using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>An AuthZEN Subject or Resource: a <c>type</c>, an <c>id</c> and optional free-form <c>properties</c>.</summary>
public sealed class AuthZenEntity
{
    /// <summary>An empty entity, for deserialization.</summary>
    public AuthZenEntity()
    {
    }

    /// <summary>An entity of the given <c>type</c> and <c>id</c> (null in a search that looks for ids).</summary>
    public AuthZenEntity(string type, string? id, JsonElement? properties = null)
    {
        Type = type;
        Id = id;
        Properties = properties;
    }

    /// <summary>AuthZEN <c>type</c>: the kind of subject or resource, for example <c>user</c> or <c>document</c>.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    /// <summary>AuthZEN <c>id</c>: the entity's identifier within its type; left out by the search that looks for it.</summary>
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    /// <summary>A JSON object of attributes; the decision point uses them in place of stored ones.</summary>
    [JsonPropertyName("properties")]
    public JsonElement? Properties { get; set; }
}
