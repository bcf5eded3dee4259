using Mandate.Core.Detection.Signals;
using Mandate.Core.Detection.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of outbound signals: the ledger fan-out, the outbox dispatcher and signed webhooks.</summary>
public static class SignalServiceCollectionExtensions
{
    /// <summary>
    /// Registers the fan-out from the ledger into the outbox, the dispatcher that delivers it with retries and a
    /// dead-letter state, and webhooks (<see cref="SignalOptions"/>, <c>Mandate:Signals</c>, validated at start). Needs
    /// the identity feature (the key-encryption key protects webhook secrets) and the host's <c>SignalHttpClient</c>.
    /// </summary>
    public static MandateBuilder AddSignals(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<SignalOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SignalOptions>, SignalOptionsValidator>());
        services.TryAddSingleton<SignalWake>();
        services.TryAddSingleton<WebhookSecrets>();
        services.TryAddSingleton<WebhookService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISignalFanOut, WebhookFanOut>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISignalSender, WebhookSender>());
        services.TryAddSingleton<SignalFanOutLoop>();
        services.TryAddSingleton<SignalDispatcher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SignalFanOutLoop>(sp => sp.GetRequiredService<SignalFanOutLoop>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SignalDispatcher>(sp => sp.GetRequiredService<SignalDispatcher>()));
        return builder;
    }
}
