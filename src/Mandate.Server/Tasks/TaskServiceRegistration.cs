using Mandate.Core.Credentials;
using Mandate.Core.Delegation;
using Mandate.Core.Storage;
using Mandate.Core.Tasks;
using Mandate.Server.Authentication;
using Mandate.Server.Hosting;
using Mandate.Storage.Postgres;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Tasks;

public static class TaskServiceRegistration
{
    /// <summary>Tasks, task credentials, token exchange, introspection and revocation, with their background work.</summary>
    public static IServiceCollection AddMandateTasks(this IServiceCollection services)
    {
        services.AddMandateTaskCore();
        services.AddOptions<TaskOptions>().BindConfiguration(TaskOptions.SectionName);
        services.AddOptions<TokenExchangeOptions>().BindConfiguration(TokenExchangeOptions.SectionName);
        services.AddOptions<RevocationSyncOptions>().BindConfiguration(RevocationSyncOptions.SectionName);

        // Replace the plain registration: on PostgreSQL the sync also listens for other nodes' revocations.
        services.AddSingleton(sp => new RevocationSync(
            sp.GetRequiredService<IMandateStore>(),
            sp.GetRequiredService<IRevocationSet>(),
            sp.GetRequiredService<IOptions<RevocationSyncOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RevocationSync>>(),
            PostgresStoreNotifications.For(sp.GetRequiredService<IMandateStore>())));
        services.AddHostedService<RevocationSyncService>();
        services.AddHostedService<CredentialUseFlushService>();
        services.AddHostedService<TaskSweeper>();
        services.AddSingleton<IStartupTask, TaskStartup>();

        services.AddAuthentication().AddPolicyScheme(TaskAuthorization.Scheme, "Admin token or workload SVID", o =>
            o.ForwardDefaultSelector = context =>
                BearerToken.Read(context.Request) is { } token && token.Count(c => c == '.') == 2
                    ? WorkloadAuthentication.SchemeName
                    : AdminAuthenticationHandler.SchemeName);
        services.AddAuthorizationBuilder().AddPolicy(TaskAuthorization.AdminOrWorkload, p => p
            .AddAuthenticationSchemes(TaskAuthorization.Scheme)
            .RequireAuthenticatedUser());
        return services;
    }
}
