using Mandate.Protocol.AuthZen;

namespace Mandate.Client;

/// <summary>A typed OpenID AuthZEN 1.0 client. Throws <see cref="MandateUnavailableException"/> when the PDP cannot answer.</summary>
public interface IAuthZenClient
{
    /// <summary>The policy version the PDP reported on its last answer (from <c>X-Mandate-Policy-Version</c>).</summary>
    string? LastPolicyVersion { get; }

    Task<EvaluationResponse> EvaluateAsync(EvaluationRequest request, CancellationToken cancellationToken = default);

    Task<EvaluationsResponse> EvaluateBatchAsync(EvaluationsRequest request, CancellationToken cancellationToken = default);

    Task<EntitySearchResponse> SearchSubjectsAsync(SearchRequest request, CancellationToken cancellationToken = default);

    Task<EntitySearchResponse> SearchResourcesAsync(SearchRequest request, CancellationToken cancellationToken = default);

    Task<ActionSearchResponse> SearchActionsAsync(SearchRequest request, CancellationToken cancellationToken = default);

    Task<AuthZenMetadata> GetMetadataAsync(CancellationToken cancellationToken = default);
}
