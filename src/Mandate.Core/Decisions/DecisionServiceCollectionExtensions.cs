using Mandate.Core.Decisions;
using Mandate.Core.Policies;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the decision point.</summary>
public static class DecisionServiceCollectionExtensions
{
    /// <summary>
    /// Registers the policy store, the decision point (<see cref="IPolicyDecisionPoint"/>), the AuthZEN service and the
    /// decision audit writer; <see cref="DecisionOptions"/> are validated at start.
    /// </summary>
    public static MandateBuilder AddDecisions(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<DecisionOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DecisionOptions>, DecisionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ActivePolicySet>();
        services.TryAddSingleton<PepCredentials>();
        services.TryAddSingleton<PolicyService>();

        // On a shared store (PostgreSQL) every node follows activations made on the others; the store's
        // IStoreNotifications comes from the container when the store registers one.
        services.AddOptions<PolicySyncOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PolicySyncOptions>, PolicySyncOptionsValidator>());
        services.TryAddSingleton<PolicySync>();
        services.TryAddSingleton<DecisionAuditQueue>();
        services.TryAddSingleton<AuditRepetitions>();
        services.TryAddSingleton<PolicyDecisionPoint>();
        services.TryAddSingleton<IPolicyDecisionPoint>(sp => sp.GetRequiredService<PolicyDecisionPoint>());
        // The tasks feature registers the credential verifier; without it a presented credential denies (fail closed).
        services.TryAddSingleton<ICredentialContextVerifier>(sp =>
            sp.GetService<Mandate.Core.Credentials.ICredentialVerifier>() is { } verifier
                ? new TaskCredentialContextVerifier(verifier)
                : new UnavailableCredentialVerifier());
        services.TryAddSingleton<CredentialContextBuilder>();
        services.TryAddSingleton<AuthZenRequestMapper>();
        services.TryAddSingleton(sp => new CredentialEpoch(
            sp.GetService<Mandate.Core.Credentials.IRevocationSet>(),
            sp.GetService<Mandate.Core.Identity.Inventory.IdentityDirectory>()));
        services.TryAddSingleton(sp => new AuthZenDecisionService(
            sp.GetRequiredService<ActivePolicySet>(),
            sp.GetRequiredService<PolicyDecisionPoint>(),
            sp.GetRequiredService<AuthZenRequestMapper>(),
            sp.GetRequiredService<DecisionAuditQueue>(),
            sp.GetRequiredService<CredentialEpoch>(),
            sp.GetRequiredService<IOptions<DecisionOptions>>(),
            sp.GetService<Mandate.Core.Telemetry.MandateMetrics>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DecisionAuditWriter>());
        return builder;
    }
}
