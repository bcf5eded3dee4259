using Mandate.Core;
using Mandate.Core.Audit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

internal static class AuditServiceCollectionExtensions
{
    /// <summary>The audit ledger's checkpoint signing on top of the trail that <c>AddMandateCore</c> registers.</summary>
    public static MandateBuilder AddMandateAuditLedger(this IServiceCollection services, Action<AuditOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddMandateCore();
        services.AddOptions<AuditOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<AuditCheckpointSignal>();
        services.TryAddSingleton<AuditSigningKeys>();
        services.TryAddSingleton<AuditCheckpointer>();
        return builder;
    }
}
