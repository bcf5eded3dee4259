using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>An AuthZEN Action: a <c>name</c> and optional <c>properties</c>.</summary>
public sealed class AuthZenAction
{
    /// <summary>An empty action, for deserialization.</summary>
    public AuthZenAction()
    {
    }

    /// <summary>An action with the given <c>name</c> and optional <c>properties</c>.</summary>
    public AuthZenAction(string name, JsonElement? properties = null)
    {
        Name = name;
        Properties = properties;
    }

    /// <summary>AuthZEN <c>action.name</c>: what is being done, for example <c>can_read</c>.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>AuthZEN <c>action.properties</c>: a JSON object of attributes of the action.</summary>
    [JsonPropertyName("properties")]
    public JsonElement? Properties { get; set; }
}
