using Mandate.Core.Credentials;
using Mandate.Core.Delegation;
using Mandate.Core.Tasks;
using Mandate.Server.Authentication;
using Mandate.Server.Hosting;
using Mandate.Server.Tasks;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Tasks, task credentials and token exchange in the server.</summary>
public static class TaskServerServiceCollectionExtensions
{
    /// <summary>
    /// Tasks, task credentials, token exchange, introspection and revocation in the server (after <c>AddTasks</c>):
    /// settings from <c>Mandate:Tasks</c>, <c>Mandate:TokenExchange</c> and <c>Mandate:Revocation</c>, the background
    /// work (revocation sync, use flush, lease sweeper), start-up, and the admin-or-workload authentication policy.
    /// </summary>
    public static MandateBuilder AddTaskHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<TaskOptions>().BindConfiguration(TaskOptions.SectionName);
        services.AddOptions<TokenExchangeOptions>().BindConfiguration(TokenExchangeOptions.SectionName);
        services.AddOptions<RevocationSyncOptions>().BindConfiguration(RevocationSyncOptions.SectionName);
        services.AddHostedService<RevocationSyncService>();
        services.AddHostedService<CredentialUseFlushService>();
        services.AddHostedService<TaskSweeper>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupTask, TaskStartup>());

        services.AddAuthentication().AddPolicyScheme(TaskAuthorization.Scheme, "Admin token or workload SVID", o =>
            o.ForwardDefaultSelector = context =>
                BearerToken.Read(context.Request) is { } token && token.Count(c => c == '.') == 2
                    ? WorkloadAuthentication.SchemeName
                    : AdminAuthenticationHandler.SchemeName);
        services.AddAuthorizationBuilder().AddPolicy(TaskAuthorization.AdminOrWorkload, p => p
            .AddAuthenticationSchemes(TaskAuthorization.Scheme)
            .RequireAuthenticatedUser());
        return builder;
    }
}
