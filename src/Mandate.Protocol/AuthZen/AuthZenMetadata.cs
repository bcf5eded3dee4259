using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>The PDP metadata document at <c>/.well-known/authzen-configuration</c>.</summary>
public sealed class AuthZenMetadata
{
    [JsonPropertyName("policy_decision_point")]
    public string? PolicyDecisionPoint { get; set; }

    [JsonPropertyName("access_evaluation_endpoint")]
    public string? AccessEvaluationEndpoint { get; set; }

    [JsonPropertyName("access_evaluations_endpoint")]
    public string? AccessEvaluationsEndpoint { get; set; }

    [JsonPropertyName("search_subject_endpoint")]
    public string? SearchSubjectEndpoint { get; set; }

    [JsonPropertyName("search_resource_endpoint")]
    public string? SearchResourceEndpoint { get; set; }

    [JsonPropertyName("search_action_endpoint")]
    public string? SearchActionEndpoint { get; set; }

    [JsonPropertyName("capabilities")]
    public IList<string>? Capabilities { get; init; }
}
