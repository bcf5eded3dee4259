using Mandate.Core.Hosting;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Attestation;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Identity;

/// <summary>
/// Every <see cref="IdentityOptions.KeyCheckInterval"/>: rotates keys that are due (on whichever node gets there
/// first; the store lock makes it happen once), reloads keys and the inventory view written by other nodes, and purges
/// the replay records of platform tokens that have expired.
/// </summary>
internal sealed class IdentityMaintenanceService(
    KeyRing keyRing,
    IdentityDirectory directory,
    PlatformTokenReplayGuard replayGuard,
    IOptions<IdentityOptions> options,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<IdentityMaintenanceService> logger) : BackgroundService
{
    public const string LoopName = "identity-maintenance";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new BackgroundLoop(LoopName, health, time, logger).RunPeriodicAsync(options.Value.KeyCheckInterval, RunOnceAsync, stoppingToken);

    /// <summary>One round; failures propagate to the loop, which logs them, shows them in /readyz and retries.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (await keyRing.RotateIfDueAsync(cancellationToken))
        {
            IdentityLog.KeyCreated(logger);
        }

        await directory.ReloadAsync(cancellationToken);
        var purged = await replayGuard.PurgeExpiredAsync(cancellationToken);
        if (purged > 0)
        {
            IdentityLog.RedemptionsPurged(logger, purged);
        }
    }
}
