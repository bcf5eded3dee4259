using Mandate.Core.Detection.SharedSignals;
using Mandate.Core.Detection.Signals;
using Mandate.Server.Detection;
using Mandate.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Signals out and in, in the server.</summary>
public static class SignalServerServiceCollectionExtensions
{
    /// <summary>
    /// Outbound signals in the server (after <c>AddSignals</c>): settings from <c>Mandate:Signals</c> and <c>Mandate:SharedSignals</c>, the SET key's start-up, the transmitter's issuer, and the HTTP
    /// client deliveries go through (no redirects, bounded connect time).
    /// </summary>
    public static MandateBuilder AddSignalHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SignalOptions>().BindConfiguration(SignalOptions.SectionName);
        builder.Services.AddOptions<SsfOptions>().BindConfiguration(SsfOptions.SectionName);
        builder.Services.TryAddSingleton<ISsfIssuer, SsfIssuer>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupTask, SsfKeyStartup>());
        builder.Services.AddSingleton(_ => new SignalHttpClient(new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AllowAutoRedirect = false,
            UseCookies = false,
        })
        {
            // Each attempt is bounded by Mandate:Signals:Timeout; this only stops HttpClient's own default from cutting in first.
            Timeout = Timeout.InfiniteTimeSpan,
        }));
        return builder;
    }
}
