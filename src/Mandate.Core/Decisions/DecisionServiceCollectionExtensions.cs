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
        // The tasks feature registers the credential verifier; without it a presented credential denies (fail closed).
        services.TryAddSingleton<ICredentialContextVerifier>(sp =>
            sp.GetService<Mandate.Core.Credentials.ICredentialVerifier>() is { } verifier
                ? new TaskCredentialContextVerifier(verifier)
                : new UnavailableCredentialVerifier());
        services.TryAddSingleton<CredentialContextBuilder>();
        services.TryAddSingleton<AuthZenRequestMapper>();
        services.TryAddSingleton(sp => new AuthZenDecisionService(
            sp.GetRequiredService<ActivePolicySet>(),
            sp.GetRequiredService<PolicyDecisionPoint>(),
            sp.GetRequiredService<AuthZenRequestMapper>(),
            sp.GetRequiredService<DecisionAuditQueue>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DecisionOptions>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DecisionAuditWriter>());
        return services;
    }
}
