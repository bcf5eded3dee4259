using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Http;

/// <summary>
/// ASP.NET Core's forwarded-headers middleware, trusting only <see cref="TrustedProxyOptions"/>: the framework's
/// defaults (which trust loopback) are cleared, so with nothing configured no header is believed, whoever sends it.
/// </summary>
internal static class TrustedProxyRegistration
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services)
    {
        services.AddOptions<TrustedProxyOptions>().BindConfiguration(TrustedProxyOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyOptionsValidator>());
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((o, trusted) =>
        {
            var settings = trusted.Value;
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in settings.KnownProxies)
            {
                o.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in settings.KnownNetworks)
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }

            o.ForwardLimit = settings.ForwardLimit;
        });
        return services;
    }

    /// <summary>First in the pipeline when the configuration names the section (the options are validated before the first request).</summary>
    public static void UseTrustedProxies(this WebApplication app)
    {
        if (app.Configuration.GetSection(TrustedProxyOptions.SectionName).Exists())
        {
            app.UseForwardedHeaders();
        }
    }
}
