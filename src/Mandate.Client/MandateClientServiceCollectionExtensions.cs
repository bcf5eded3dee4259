using Mandate.Client;
using Mandate.Client.AspNetCore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class MandateClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IAuthZenClient"/> (a typed HttpClient from the factory), the <see cref="DecisionCache"/>
    /// and the ASP.NET Core authorization handler behind <c>.RequireMandate("action")</c>.
    /// </summary>
    public static IHttpClientBuilder AddMandateClient(this IServiceCollection services, Action<MandateClientOptions> configure, Action<MandateEnforcementOptions>? enforcement = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<MandateClientOptions>()
            .Configure(configure)
            .Validate(o => o.BaseAddress is { IsAbsoluteUri: true }, "MandateClientOptions.BaseAddress must be an absolute URL.")
            .Validate(o => o.MaxRetries >= 0 && o.AttemptTimeout > TimeSpan.Zero, "MandateClientOptions retries and timeout must be positive.")
            .ValidateOnStart();
        services.AddOptions<MandateEnforcementOptions>().Configure(o => enforcement?.Invoke(o));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DecisionCache>();
        services.AddHttpContextAccessor();
        services.AddAuthorization();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, MandateAuthorizationHandler>());
        return services.AddHttpClient<IAuthZenClient, AuthZenClient>((sp, http) =>
        {
            // Per-attempt timeouts are the client's own; the HttpClient's overall limit only bounds runaway retries.
            var options = sp.GetRequiredService<IOptions<MandateClientOptions>>().Value;
            http.Timeout = options.AttemptTimeout * (options.MaxRetries + 1) + TimeSpan.FromSeconds(5);
        });
    }
}
