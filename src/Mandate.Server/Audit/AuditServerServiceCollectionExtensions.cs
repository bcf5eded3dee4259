using Mandate.Core.Audit;
using Mandate.Server;
using Mandate.Server.Audit;
using Mandate.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The audit ledger in the server.</summary>
public static class AuditServerServiceCollectionExtensions
{
    /// <summary>
    /// The audit ledger in the server (after <c>AddAudit</c>): settings from <c>Mandate:Audit</c>, the checkpoint
    /// signing key's key-encryption key in the state directory unless configured, start-up verification and periodic
    /// signed checkpoints.
    /// </summary>
    public static MandateBuilder AddAuditHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<AuditOptions>()
            .Configure<IOptions<MandateServerOptions>>((audit, server) =>
                audit.KeyEncryptionKeyPath = Path.Combine(server.Value.StateDirectory, "audit-signing.kek"))
            .BindConfiguration(AuditOptions.SectionName);
        services.TryAddSingleton<AuditFullVerification>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditFullVerification>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupTask, AuditStartup>());
        services.AddHostedService<AuditCheckpointService>();
        return builder;
    }
}
