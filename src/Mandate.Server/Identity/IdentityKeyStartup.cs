using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Mandate.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Identity;

/// <summary>Validates identity settings, creates or loads the signing keys and the CA, and loads the inventory view.</summary>
internal sealed class IdentityKeyStartup(
    IOptions<IdentityOptions> options,
    KeyRing keyRing,
    IdentityDirectory directory,
    ILogger<IdentityKeyStartup> logger) : IStartupTask
{
    public int Order => 100;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        IdentityOptions settings;
        try
        {
            settings = options.Value;
        }
        catch (OptionsValidationException ex)
        {
            throw new StartupException("Identity settings are not valid: " + string.Join(" ", ex.Failures));
        }

        try
        {
            await keyRing.InitializeAsync(cancellationToken);
        }
        catch (KeyRingException ex)
        {
            throw new StartupException(ex.Message, ex);
        }

        await directory.ReloadAsync(cancellationToken);
        IdentityLog.KeysLoaded(logger, settings.TrustDomain, keyRing.Issuer, keyRing.CurrentSigningKey().Kid, keyRing.CurrentSigningKey().Algorithm);
        if (KeyRing.NeedsSvidKey(settings))
        {
            var svidKey = keyRing.CurrentSigningKey(KeyPurposes.JwtSvid);
            IdentityLog.SvidKeyLoaded(logger, svidKey.Kid, svidKey.Algorithm, settings.SigningAlgorithm);
        }
    }
}
