using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>
/// The body of <c>POST /access/v1/evaluations</c>: top-level subject, action, resource and context are defaults that an
/// item replaces as whole objects.
/// </summary>
public sealed class EvaluationsRequest : EvaluationRequest
{
    [JsonPropertyName("evaluations")]
    public IList<EvaluationRequest>? Evaluations { get; init; }

    [JsonPropertyName("options")]
    public EvaluationsOptions? Options { get; set; }
}
