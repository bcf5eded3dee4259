namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <see cref="MandateServiceCollectionExtensions.AddMandate"/>; every Mandate registration (the store,
/// the Core features, the server's features) is an extension of this builder and returns it, so a host composes
/// Mandate as one chain. Registrations use <c>TryAdd*</c>: a service registered before them is kept.
/// </summary>
public sealed class MandateBuilder
{
    internal MandateBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection the registrations go to.</summary>
    public IServiceCollection Services { get; }
}
