using Mandate.Core.Audit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the audit ledger.</summary>
internal static class AuditServiceCollectionExtensions
{
    /// <summary>The audit ledger's checkpoint signing on top of the trail that <c>AddMandate</c> registers.</summary>
    public static MandateBuilder AddAudit(this MandateBuilder builder, Action<AuditOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
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
