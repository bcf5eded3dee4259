using Mandate.Core;
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

public static class TaskServiceCollectionExtensions
{
    /// <summary>
    /// Registers tasks, credentials (issuer, <see cref="ICredentialVerifier"/>, revocation set and its sync, use
    /// recording) and RFC 8693 delegation. Needs the key ring (<c>AddMandateIdentity</c>) and a decision point.
    /// </summary>
    public static MandateBuilder AddMandateTaskCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMandateRevocationSet();
        services.AddOptions<TaskOptions>();
        services.AddOptions<TokenExchangeOptions>();
        services.AddOptions<RevocationSyncOptions>();
        services.TryAddSingleton<TokenValidator>();
        services.TryAddSingleton<CredentialIssuer>();
        services.TryAddSingleton<DpopProofValidator>();
        services.TryAddSingleton<CredentialUseRecorder>();
        services.TryAddSingleton<TokenReuseDetector>();
        services.TryAddSingleton<ICredentialVerifier, CredentialVerifier>();
        services.TryAddSingleton<RevocationService>();
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
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new TaskService(
            sp.GetRequiredService<IMandateStore>(),
            sp.GetRequiredService<IAuditTrail>(),
            sp.GetRequiredService<IPolicyDecisionPoint>(),
            sp.GetRequiredService<CredentialIssuer>(),
            sp.GetRequiredService<RevocationService>(),
            sp.GetRequiredService<IOptionsMonitor<TaskOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new TokenIntrospection(sp.GetRequiredService<TokenValidator>(), sp.GetRequiredService<RevocationService>()));
        services.TryAddSingleton(sp => new TokenAssertionValidator(sp.GetRequiredService<TokenValidator>()));
        services.TryAddSingleton(sp => new DpopProofChecker(sp.GetRequiredService<DpopProofValidator>()));
        return new MandateBuilder(services);
    }
}
