using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>The answer to a batch: one decision per item in request order (shorter when a semantic short-circuits).</summary>
public sealed class EvaluationsResponse
{
    /// <summary>AuthZEN <c>evaluations</c>: the decisions, in the order of the request's items.</summary>
    [JsonPropertyName("evaluations")]
    public IList<EvaluationResponse> Evaluations { get; init; } = [];
}
