using Mandate.Core.Decisions;
using Mandate.Core.Detection;
using Mandate.Core.Detection.Rules;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of detection and response.</summary>
public static class DetectionServiceCollectionExtensions
{
    /// <summary>
    /// Registers the detection engine (its rules, the loop streaming the ledger into it, the responder), the risk book
    /// that gives every decision its <c>context.risk</c>, and the alert signal; <see cref="DetectionOptions"/>
    /// (<c>Mandate:Detection</c>) are validated at start. Needs the identity and tasks features (responses go through
    /// the inventory and the revocation service).
    /// </summary>
    public static MandateBuilder AddDetection(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<DetectionOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DetectionOptions>, DetectionOptionsValidator>());
        services.TryAddSingleton<RiskBook>();
        services.TryAddSingleton<AlertSignal>();
        services.TryAddSingleton<RiskService>();
        services.TryAddSingleton<DetectionResponder>();
        services.TryAddSingleton<DetectionEngine>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRiskSource, DetectionRiskSource>());
        services.TryAddEnumerable(
        [
            ServiceDescriptor.Singleton<IDetectionRule, CredentialReuseRule>(),
            ServiceDescriptor.Singleton<IDetectionRule, JtiMultiSourceRule>(),
            ServiceDescriptor.Singleton<IDetectionRule, ExchangeReplayRule>(),
            ServiceDescriptor.Singleton<IDetectionRule, ScopeWideningAttemptRule>(),
            ServiceDescriptor.Singleton<IDetectionRule, BeyondTaskScopeRule>(),
            ServiceDescriptor.Singleton<IDetectionRule, DenyBurstRule>(),
            ServiceDescriptor.Singleton<IDetectionRule, PrivilegeEscalationAttemptRule>(),
            ServiceDescriptor.Singleton<IDetectionRule, SuspendedIdentityUseRule>(),
            ServiceDescriptor.Singleton<IDetectionRule, FirstSeenActionRule>(),
            ServiceDescriptor.Singleton<IDetectionRule, RateAnomalyRule>(),
            ServiceDescriptor.Singleton<IDetectionRule, ExceptionUseRule>(),
        ]);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DetectionLoop>());

        // Risk raised or cleared on another node sharing the store (PostgreSQL) reaches this node's book as it commits.
        services.TryAddSingleton<RiskSync>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RiskSync>(sp => sp.GetRequiredService<RiskSync>()));
        return builder;
    }
}
