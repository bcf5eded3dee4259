namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <see cref="MandateClientServiceCollectionExtensions.AddMandateClient"/>: the services the SDK was added
/// to and the PDP's named HttpClient, so a host can add handlers to it or chain further SDK features (for example
/// <c>AddMandateEnforcement</c> from Mandate.Client.AspNetCore).
/// </summary>
public sealed class MandateClientBuilder
{
    internal MandateClientBuilder(IServiceCollection services, IHttpClientBuilder httpClient)
    {
        Services = services;
        HttpClient = httpClient;
    }

    /// <summary>The service collection the SDK was added to.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The HttpClient <see cref="Mandate.Client.IAuthZenClient"/> talks to the PDP with (its resilience handler included).</summary>
    public IHttpClientBuilder HttpClient { get; }
}
