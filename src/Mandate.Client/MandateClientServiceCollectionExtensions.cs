using Mandate.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the Mandate SDK.</summary>
public static class MandateClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IAuthZenClient"/> (a typed HttpClient from the factory with a resilience handler: a timeout
    /// per attempt, retries of transient failures) and the <see cref="DecisionCache"/>. The options are validated at
    /// start. Returns a <see cref="MandateClientBuilder"/> (the services and the PDP's HttpClient).
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets where the PDP is and how the client behaves.</param>
    public static MandateClientBuilder AddMandateClient(this IServiceCollection services, Action<MandateClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<MandateClientOptions>()
            .Configure(configure)
            .Validate(o => o.BaseAddress is { IsAbsoluteUri: true }, "MandateClientOptions.BaseAddress must be an absolute URL.")
            .Validate(o => o.MaxRetries >= 0 && o.AttemptTimeout > TimeSpan.Zero, "MandateClientOptions retries and timeout must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DecisionCache>();
        var http = services.AddHttpClient<IAuthZenClient, AuthZenClient>((sp, http) =>
        {
            // Attempts are bounded by the resilience handler; the HttpClient's overall limit only bounds runaway retries.
            var options = sp.GetRequiredService<IOptions<MandateClientOptions>>().Value;
            http.Timeout = options.AttemptTimeout * (options.MaxRetries + 1) + TimeSpan.FromSeconds(5);
        });
        http.AddResilienceHandler(MandateClientResilience.PipelineName, (pipeline, context) =>
            MandateClientResilience.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<MandateClientOptions>>().Value));
        return new MandateClientBuilder(services, http);
    }
}
