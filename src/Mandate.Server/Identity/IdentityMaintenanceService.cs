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
    TimeProvider time,
    ILogger<IdentityMaintenanceService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.KeyCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RunOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
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
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            IdentityLog.MaintenanceFailed(logger, ex);
        }
    }
}
