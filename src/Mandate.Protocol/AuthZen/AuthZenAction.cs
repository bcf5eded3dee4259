using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>An AuthZEN Action: a <c>name</c> and optional <c>properties</c>.</summary>
public sealed class AuthZenAction
{
    public AuthZenAction()
    {
    }

    public AuthZenAction(string name, JsonElement? properties = null)
    {
        Name = name;
        Properties = properties;
    }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("properties")]
    public JsonElement? Properties { get; set; }
}
