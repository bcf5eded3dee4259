using Mandate.Core.Detection.SharedSignals;
using Mandate.Core.Detection.Signals;
using Mandate.Core.Detection.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of signals out and in: the ledger fan-out, the outbox dispatcher, signed webhooks, Shared Signals.</summary>
public static class SignalServiceCollectionExtensions
{
    /// <summary>
    /// Registers the fan-out from the ledger into the outbox, the dispatcher that delivers it with retries and a
    /// dead-letter state, signed webhooks, and the OpenID Shared Signals transmitter and receiver
    /// (<see cref="SignalOptions"/>, <c>Mandate:Signals</c>, and <see cref="SsfOptions"/>, <c>Mandate:SharedSignals</c>,
    /// validated at start). Needs the identity feature (the key-encryption key protects secrets and the SET key), the
    /// tasks feature (revocation), the access-review feature (a person's SET starts that owner's offboarding), and the
    /// host's <c>SignalHttpClient</c> and <c>ISsfIssuer</c>.
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
        services.AddOptions<SsfOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SsfOptions>, SsfOptionsValidator>());
        services.TryAddSingleton<SsfSigningKey>();
        services.TryAddSingleton<SsfSetWriter>();
        services.TryAddSingleton<SsfTransmitter>();
        services.TryAddSingleton<SsfReceiver>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISignalFanOut, SsfFanOut>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISignalSender, SsfPushSender>());
        services.TryAddSingleton<SignalFanOutLoop>();
        services.TryAddSingleton<SignalDispatcher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SignalFanOutLoop>(sp => sp.GetRequiredService<SignalFanOutLoop>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SignalDispatcher>(sp => sp.GetRequiredService<SignalDispatcher>()));
        return builder;
    }
}
