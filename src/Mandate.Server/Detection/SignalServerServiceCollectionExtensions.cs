using Mandate.Core.Detection.Signals;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Outbound signals in the server.</summary>
public static class SignalServerServiceCollectionExtensions
{
    /// <summary>
    /// Outbound signals in the server (after <c>AddSignals</c>): settings from <c>Mandate:Signals</c>, and the HTTP
    /// client deliveries go through (no redirects, bounded connect time).
    /// </summary>
    public static MandateBuilder AddSignalHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SignalOptions>().BindConfiguration(SignalOptions.SectionName);
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
