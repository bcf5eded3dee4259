using Mandate.Core.Identity;
using Mandate.Core.Identity.Attestation;
using Mandate.Core.Identity.Keys;
using Mandate.Server;
using Mandate.Server.Authentication;
using Mandate.Server.Hosting;
using Mandate.Server.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Workload identity in the server.</summary>
public static class IdentityServerServiceCollectionExtensions
{
    /// <summary>The demo estate's trust domain (CONTRACTS.md §7).</summary>
    public const string DemoTrustDomain = "demo.mandate.local";

    /// <summary>
    /// Workload identity in the server (after <c>AddIdentity</c>): settings from <c>Mandate:Identity</c> (demo mode
    /// defaults the trust domain to <see cref="DemoTrustDomain"/>), the key-encryption key file, key and CA start-up,
    /// rotation, the directory's sync with other nodes, the <see cref="WorkloadAuthentication.SchemeName"/> scheme, the
    /// <see cref="AuthorizationPolicies.Workload"/> policy and the rate limit of the anonymous attestation endpoints.
    /// </summary>
    public static MandateBuilder AddIdentityHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<IdentityOptions>()
            .Configure<IOptions<MandateServerOptions>>((identity, server) =>
            {
                if (server.Value.Demo)
                {
                    identity.TrustDomain = DemoTrustDomain;
                }
            })
            .BindConfiguration(IdentityOptions.SectionName);
        services.AddOptions<KeyEncryptionOptions>().BindConfiguration(KeyEncryptionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyEncryptionOptions>, KeyEncryptionOptionsValidator>());
        services.TryAddSingleton<IKeyEncryptionKeySource, IdentityKeyEncryptionKey>();
        services.TryAddSingleton(_ => new OidcHttpClient(new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AllowAutoRedirect = false,
        })
        {
            Timeout = TimeSpan.FromSeconds(10),
        }));
        builder.AddAttestationRateLimiting();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupTask, TrustDomainStartup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupTask, IdentityKeyStartup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupTask, IdentityDemoSeed>());
        services.TryAddSingleton<IdentityMaintenanceService>();
        services.TryAddSingleton<IdentityRefusals>();
        services.AddHostedService(sp => sp.GetRequiredService<IdentityMaintenanceService>());

        // The store's notifications reach IdentityDirectorySync from the container: on PostgreSQL, other nodes'
        // identity changes arrive as they commit rather than at the next reload.
        services.AddHostedService<IdentityDirectorySyncService>();

        // Likewise a key rotation stored by another node reloads this node's key ring at once.
        services.TryAddSingleton<Mandate.Core.Identity.Keys.KeyRingSync>();
        services.AddHostedService(sp => sp.GetRequiredService<Mandate.Core.Identity.Keys.KeyRingSync>());

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, WorkloadAuthenticationHandler>(WorkloadAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AuthorizationPolicies.Workload, p => p
                .AddAuthenticationSchemes(WorkloadAuthentication.SchemeName)
                .RequireAuthenticatedUser()
                .RequireClaim(WorkloadAuthentication.SubjectClaim));
        return builder;
    }
}
