using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>The body of <c>POST /access/v1/evaluation</c>; also one item of a batch.</summary>
public class EvaluationRequest
{
    [JsonPropertyName("subject")]
    public AuthZenEntity? Subject { get; set; }

    [JsonPropertyName("action")]
    public AuthZenAction? Action { get; set; }

    [JsonPropertyName("resource")]
    public AuthZenEntity? Resource { get; set; }

    /// <summary>A JSON object; Mandate reads <c>credential</c> from it (see docs/decisions.md).</summary>
    [JsonPropertyName("context")]
    public JsonElement? Context { get; set; }
}
