using Mandate.Core.Admin;
using Mandate.Core.Audit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The entry point of Mandate's composition: <c>services.AddMandate().Add…Store(…).AddIdentity()…</c>.</summary>
public static class MandateServiceCollectionExtensions
{
    /// <summary>
    /// Registers what every Mandate feature shares (the clock, the audit trail, admin tokens, the health of the
    /// background loops) and returns the
    /// <see cref="MandateBuilder"/> the store and the features are added to. A store must be added too
    /// (<c>AddSqliteStore</c> or <c>AddPostgresStore</c>).
    /// </summary>
    public static MandateBuilder AddMandate(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<AuditOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<AuditOptions>, AuditOptionsValidator>());
        services.TryAddSingleton<Mandate.Core.Telemetry.MandateMetrics>();
        services.TryAddSingleton<Mandate.Core.Hosting.BackgroundHealth>();
        services.AddOptions<Mandate.Core.Storage.ClusterOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<Mandate.Core.Storage.ClusterOptions>, Mandate.Core.Storage.ClusterOptionsValidator>());
        services.TryAddSingleton<Mandate.Core.Storage.StoreFreshness>();

        // The store registers its leader lock (PostgreSQL: an advisory lock; SQLite: its only node leads).
        services.TryAddSingleton<Mandate.Core.Hosting.ClusterLeadership>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, Mandate.Core.Hosting.ClusterLeadership>(sp => sp.GetRequiredService<Mandate.Core.Hosting.ClusterLeadership>()));
        services.TryAddSingleton<AuditAppendFeed>();
        services.TryAddSingleton<IAuditTrail, AuditTrail>();
        services.AddOptions<AdminOptions>();
        services.TryAddSingleton<AdminTokens>();
        return new MandateBuilder(services);
    }
}
