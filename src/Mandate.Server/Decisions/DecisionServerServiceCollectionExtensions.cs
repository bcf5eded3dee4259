using Mandate.Core.Decisions;
using Mandate.Server;
using Mandate.Server.Hosting;
using Mandate.Server.Http;
using Mandate.Server.Policies;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The decision point in the server.</summary>
public static class DecisionServerServiceCollectionExtensions
{
    /// <summary>
    /// The decision point in the server (after <c>AddDecisions</c>): settings from <c>Mandate:Decisions</c>, the policy
    /// store's start-up (data directory, demo estate, stored version).
    /// </summary>
    public static MandateBuilder AddDecisionHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<DecisionOptions>().BindConfiguration(DecisionOptions.SectionName);
        services.AddOptions<Mandate.Core.Policies.PolicySyncOptions>().BindConfiguration(Mandate.Core.Policies.PolicySyncOptions.SectionName);

        // Anonymous enforcement points only where the operator says so; the demo admits loopback clients.
        services.AddOptions<DecisionOptions>().PostConfigure<IOptions<MandateServerOptions>>((o, server) =>
            o.AllowAnonymousPeps ??= server.Value.Demo ? AnonymousPepAccess.Loopback : AnonymousPepAccess.None);
        services.AddRequestRateLimiting();
        services.TryAddSingleton<PolicyStartup>();
        services.AddHostedService<Mandate.Core.Policies.PolicySyncService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupTask, PolicyStartup>(sp => sp.GetRequiredService<PolicyStartup>()));
        return builder;
    }
}
