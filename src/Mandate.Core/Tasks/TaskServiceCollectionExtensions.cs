using Mandate.Core.Identity.Inventory;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Decisions;
using Mandate.Core.Delegation;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Storage;
using Mandate.Core.Tasks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of tasks, task credentials and delegation.</summary>
public static class TaskServiceCollectionExtensions
{
    /// <summary>
    /// Registers tasks, credentials (issuer, <see cref="ICredentialVerifier"/>, the in-memory revocation set and its
    /// sync with the store, use recording) and RFC 8693 delegation; their options are validated at start. Needs the
    /// key ring (<c>AddIdentity</c>) and a decision point (<c>AddDecisions</c>).
    /// </summary>
    public static MandateBuilder AddTasks(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<TaskOptions>().ValidateOnStart();
        services.AddOptions<TokenExchangeOptions>().ValidateOnStart();
        services.AddOptions<RevocationSyncOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskOptions>, TaskOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenExchangeOptions>, TokenExchangeOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RevocationSyncOptions>, RevocationSyncOptionsValidator>());
        services.TryAddSingleton<IRevocationSet, RevocationSet>();
        services.TryAddSingleton<IdentityStanding>();
        services.TryAddSingleton<TokenValidator>();
        services.TryAddSingleton<CredentialIssuer>();
        services.TryAddSingleton<DpopProofValidator>();
        services.TryAddSingleton<CredentialUseRecorder>();
        services.TryAddSingleton<TokenReuseDetector>();
        services.TryAddSingleton<ICredentialVerifier, CredentialVerifier>();
        services.TryAddSingleton<RevocationService>();

        // The store's IStoreNotifications (PostgreSQL LISTEN/NOTIFY) comes from the container when the store registers one.
        services.TryAddSingleton<RevocationSync>();
        services.TryAddSingleton(sp => new TokenExchangeService(
            sp.GetRequiredService<TokenValidator>(),
            sp.GetRequiredService<CredentialIssuer>(),
            sp.GetRequiredService<IKeyRing>(),
            sp.GetRequiredService<IMandateStore>(),
            sp.GetRequiredService<IAuditTrail>(),
            sp.GetRequiredService<CredentialUseRecorder>(),
            sp.GetRequiredService<TokenReuseDetector>(),
            sp.GetRequiredService<IOptionsMonitor<TokenExchangeOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<Mandate.Core.Telemetry.MandateMetrics>()));
        services.TryAddSingleton(sp => new TaskService(
            sp.GetRequiredService<IMandateStore>(),
            sp.GetRequiredService<IAuditTrail>(),
            sp.GetRequiredService<IPolicyDecisionPoint>(),
            sp.GetRequiredService<CredentialIssuer>(),
            sp.GetRequiredService<RevocationService>(),
            sp.GetRequiredService<IOptionsMonitor<TaskOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<Mandate.Core.Telemetry.MandateMetrics>(),
            sp.GetService<Mandate.Core.DynamicCredentials.DynamicCredentialTaskRenewal>()));
        services.TryAddSingleton(sp => new TokenIntrospection(sp.GetRequiredService<TokenValidator>(), sp.GetRequiredService<RevocationService>(), sp.GetRequiredService<TokenReuseDetector>()));
        services.TryAddSingleton(sp => new TokenAssertionValidator(sp.GetRequiredService<TokenValidator>()));
        services.TryAddSingleton(sp => new DpopProofChecker(sp.GetRequiredService<DpopProofValidator>()));
        return builder;
    }
}
