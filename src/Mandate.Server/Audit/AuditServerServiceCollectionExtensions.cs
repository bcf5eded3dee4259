using Mandate.Server;
using Mandate.Server.Audit;
using Mandate.Server.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

internal static class AuditServerServiceCollectionExtensions
{
    /// <summary>The audit ledger in the server: start-up verification, periodic signed checkpoints.</summary>
    public static IServiceCollection AddMandateAudit(this IServiceCollection services, MandateServerOptions options)
    {
        services.AddMandateAuditLedger(o => o.KeyEncryptionKeyPath = Path.Combine(options.StateDirectory, "audit-signing.kek"));
        services.AddSingleton<IStartupTask, AuditStartup>();
        services.AddHostedService<AuditCheckpointService>();
        return services;
    }
}
