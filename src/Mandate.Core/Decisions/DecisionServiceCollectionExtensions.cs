using Mandate.Core.Decisions;
using Mandate.Core.Policies;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

public static class DecisionServiceCollectionExtensions
{
    /// <summary>Registers the policy store, the decision point (<see cref="IPolicyDecisionPoint"/>), the AuthZEN service and the decision audit writer.</summary>
    public static IServiceCollection AddMandateDecisionPoint(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DecisionOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ActivePolicySet>();
        services.TryAddSingleton<PolicyService>();
        services.TryAddSingleton<DecisionAuditQueue>();
        services.TryAddSingleton<PolicyDecisionPoint>();
        services.TryAddSingleton<IPolicyDecisionPoint>(sp => sp.GetRequiredService<PolicyDecisionPoint>());
        services.TryAddSingleton<ICredentialContextVerifier, UnavailableCredentialVerifier>();
        services.TryAddSingleton<CredentialContextBuilder>();
        services.TryAddSingleton<AuthZenRequestMapper>();
        services.TryAddSingleton<AuthZenDecisionService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DecisionAuditWriter>());
        return services;
    }
}
