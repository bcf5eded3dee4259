using Mandate.Protocol.AuthZen;

namespace Mandate.Client;

/// <summary>A typed OpenID AuthZEN 1.0 client. Throws <see cref="MandateUnavailableException"/> when the PDP cannot answer.</summary>
public interface IAuthZenClient
{
    /// <summary>The policy version the PDP reported on its last answer (from <c>X-Mandate-Policy-Version</c>).</summary>
    string? LastPolicyVersion { get; }

    /// <summary>Asks for one decision (<c>POST /access/v1/evaluation</c>); an allow or deny may come from the <see cref="DecisionCache"/>.</summary>
    Task<EvaluationResponse> EvaluateAsync(EvaluationRequest request, CancellationToken cancellationToken = default);

    /// <summary>Asks for several decisions in one call (<c>POST /access/v1/evaluations</c>); never cached.</summary>
    Task<EvaluationsResponse> EvaluateBatchAsync(EvaluationsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Finds the subjects allowed the request's action on its resource (<c>POST /access/v1/search/subject</c>).</summary>
    Task<EntitySearchResponse> SearchSubjectsAsync(SearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Finds the resources the request's subject may act on (<c>POST /access/v1/search/resource</c>).</summary>
    Task<EntitySearchResponse> SearchResourcesAsync(SearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Finds the actions the request's subject may take on its resource (<c>POST /access/v1/search/action</c>).</summary>
    Task<ActionSearchResponse> SearchActionsAsync(SearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads the PDP's metadata (<c>GET /.well-known/authzen-configuration</c>).</summary>
    Task<AuthZenMetadata> GetMetadataAsync(CancellationToken cancellationToken = default);
}
