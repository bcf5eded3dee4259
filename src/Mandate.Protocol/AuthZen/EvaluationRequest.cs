using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>The body of <c>POST /access/v1/evaluation</c>; also one item of a batch.</summary>
public class EvaluationRequest
{
    /// <summary>AuthZEN <c>subject</c>: who asks (a <c>type</c> and an <c>id</c>).</summary>
    [JsonPropertyName("subject")]
    public AuthZenEntity? Subject { get; set; }

    /// <summary>AuthZEN <c>action</c>: what the subject wants to do.</summary>
    [JsonPropertyName("action")]
    public AuthZenAction? Action { get; set; }

    /// <summary>AuthZEN <c>resource</c>: what the action is done to.</summary>
    [JsonPropertyName("resource")]
    public AuthZenEntity? Resource { get; set; }

    /// <summary>A JSON object; Mandate reads <c>credential</c> from it (see docs/decisions.md).</summary>
    [JsonPropertyName("context")]
    public JsonElement? Context { get; set; }
}
