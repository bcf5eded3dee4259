using Mandate.Core;
using Mandate.Core.Admin;
using Mandate.Core.Audit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class MandateServiceCollectionExtensions
{
    /// <summary>Registers Mandate's domain services. A store must be registered too (see the storage packages).</summary>
    public static MandateBuilder AddMandateCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IAuditTrail, AuditTrail>();
        services.TryAddSingleton<AdminTokens>();
        return new MandateBuilder(services);
    }
}
