using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>An AuthZEN Decision: <c>decision</c> and an optional <c>context</c> object.</summary>
public sealed class EvaluationResponse
{
    [JsonPropertyName("decision")]
    public bool Decision { get; set; }

    [JsonPropertyName("context")]
    public JsonElement? Context { get; set; }
}
