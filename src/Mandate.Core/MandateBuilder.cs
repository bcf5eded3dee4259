using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Core;

/// <summary>Returned by <c>AddMandate…</c> registrations so that further features can be chained.</summary>
public sealed class MandateBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;
}
