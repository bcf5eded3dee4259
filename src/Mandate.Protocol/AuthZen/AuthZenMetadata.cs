using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>The PDP metadata document at <c>/.well-known/authzen-configuration</c>.</summary>
public sealed class AuthZenMetadata
{
    /// <summary>AuthZEN <c>policy_decision_point</c>: the PDP's base URL, which identifies it.</summary>
    [JsonPropertyName("policy_decision_point")]
    public string? PolicyDecisionPoint { get; set; }

    /// <summary>AuthZEN <c>access_evaluation_endpoint</c>: the URL of the single evaluation API.</summary>
    [JsonPropertyName("access_evaluation_endpoint")]
    public string? AccessEvaluationEndpoint { get; set; }

    /// <summary>AuthZEN <c>access_evaluations_endpoint</c>: the URL of the batch evaluation API.</summary>
    [JsonPropertyName("access_evaluations_endpoint")]
    public string? AccessEvaluationsEndpoint { get; set; }

    /// <summary>AuthZEN <c>search_subject_endpoint</c>: the URL of the subject search API.</summary>
    [JsonPropertyName("search_subject_endpoint")]
    public string? SearchSubjectEndpoint { get; set; }

    /// <summary>AuthZEN <c>search_resource_endpoint</c>: the URL of the resource search API.</summary>
    [JsonPropertyName("search_resource_endpoint")]
    public string? SearchResourceEndpoint { get; set; }

    /// <summary>AuthZEN <c>search_action_endpoint</c>: the URL of the action search API.</summary>
    [JsonPropertyName("search_action_endpoint")]
    public string? SearchActionEndpoint { get; set; }

    /// <summary>AuthZEN <c>capabilities</c>: identifiers of optional features the PDP supports.</summary>
    [JsonPropertyName("capabilities")]
    public IList<string>? Capabilities { get; init; }
}
