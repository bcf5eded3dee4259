using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>The <c>options</c> member of a batch request.</summary>
public sealed class EvaluationsOptions
{
    /// <summary>One of <see cref="EvaluationsSemantic"/>; absent means <c>execute_all</c>.</summary>
    [JsonPropertyName("evaluations_semantic")]
    public string? EvaluationsSemantic { get; set; }
}
