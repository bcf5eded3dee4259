using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>
/// The body of <c>POST /access/v1/evaluations</c>: top-level subject, action, resource and context are defaults that an
/// item replaces as whole objects.
/// </summary>
public sealed class EvaluationsRequest : EvaluationRequest
{
    /// <summary>AuthZEN <c>evaluations</c>: the items to decide; each takes the top-level values for the members it leaves out.</summary>
    [JsonPropertyName("evaluations")]
    public IList<EvaluationRequest>? Evaluations { get; init; }

    /// <summary>AuthZEN <c>options</c>: how the batch runs (see <see cref="EvaluationsOptions"/>).</summary>
    [JsonPropertyName("options")]
    public EvaluationsOptions? Options { get; set; }
}
