using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>An AuthZEN Decision: <c>decision</c> and an optional <c>context</c> object.</summary>
public sealed class EvaluationResponse
{
    /// <summary>AuthZEN <c>decision</c>: true permits, false denies.</summary>
    [JsonPropertyName("decision")]
    public bool Decision { get; set; }

    /// <summary>AuthZEN <c>context</c>: optional reasons or other information about the decision.</summary>
    [JsonPropertyName("context")]
    public JsonElement? Context { get; set; }
}
