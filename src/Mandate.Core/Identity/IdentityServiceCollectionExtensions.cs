using Mandate.Core.Credentials;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Attestation;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Core.Identity.X509;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the workload identity domain.</summary>
public static class IdentityServiceCollectionExtensions
{
    /// <summary>
    /// Registers the workload identity domain (key ring, inventory and its sync with other nodes, SVID issuance and
    /// validation, attestation). The host supplies an <see cref="IKeyEncryptionKeySource"/> and initializes the key
    /// ring at start.
    /// </summary>
    public static MandateBuilder AddIdentity(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<IdentityOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IdentityOptions>, IdentityOptionsValidator>());
        services.TryAddSingleton<PrivateKeyProtector>();
        services.TryAddSingleton<KeyRing>();
        services.TryAddSingleton<IKeyRing>(sp => sp.GetRequiredService<KeyRing>());
        services.TryAddSingleton<IdentityDirectory>();
        services.TryAddSingleton<IdentityDirectorySync>();
        services.TryAddSingleton<IdentityStanding>();
        services.TryAddSingleton<IdentityInventory>();
        services.TryAddSingleton<JwtSvidIssuer>();
        services.TryAddSingleton<IRevocationSet, RevocationSet>();

        // The inventory revokes an identity's X.509-SVIDs when its status changes, so identity needs revocation too.
        services.TryAddSingleton<RevocationService>();
        services.TryAddSingleton<JwtSvidValidator>();
        services.TryAddSingleton<X509SvidAuthority>();
        services.TryAddSingleton<X509CrlPublisher>();
        services.TryAddSingleton<SvidIssuance>();
        services.TryAddSingleton<JoinTokens>();
        services.TryAddSingleton<PlatformTokenReplayGuard>();
        services.TryAddSingleton<OidcAttestor>();
        return builder;
    }
}
