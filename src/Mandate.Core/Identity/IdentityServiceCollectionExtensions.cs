using Mandate.Core;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Attestation;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Core.Identity.X509;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class IdentityServiceCollectionExtensions
{
    /// <summary>
    /// Registers the workload identity domain (key ring, inventory, SVID issuance and validation). The host supplies an
    /// <see cref="IKeyEncryptionKeySource"/> and initializes the key ring at start.
    /// </summary>
    public static MandateBuilder AddMandateIdentityCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<IdentityOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IdentityOptions>, IdentityOptionsValidator>());
        services.TryAddSingleton<PrivateKeyProtector>();
        services.TryAddSingleton<KeyRing>();
        services.TryAddSingleton<IKeyRing>(sp => sp.GetRequiredService<KeyRing>());
        services.TryAddSingleton<IdentityDirectory>();
        services.TryAddSingleton<IdentityInventory>();
        services.TryAddSingleton<JwtSvidIssuer>();
        services.TryAddSingleton<JwtSvidValidator>();
        services.TryAddSingleton<X509SvidAuthority>();
        services.TryAddSingleton<SvidIssuance>();
        services.TryAddSingleton<JoinTokens>();
        services.TryAddSingleton<PlatformTokenReplayGuard>();
        services.TryAddSingleton<OidcAttestor>();
        return new MandateBuilder(services);
    }
}
