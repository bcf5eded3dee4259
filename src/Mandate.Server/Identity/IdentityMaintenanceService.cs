using Mandate.Core.Hosting;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Attestation;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Identity;

/// <summary>
/// Every <see cref="IdentityOptions.KeyCheckInterval"/>: rotates keys that are due (a leader job, see
/// <see cref="ClusterLeadership"/>: only the leader rotates, and the store lock would make a rotation happen once
/// anyway), reloads keys and the inventory view written by other nodes (a safety net behind their announcements), and
/// purges the replay records of platform tokens that have expired.
/// </summary>
internal sealed class IdentityMaintenanceService(
    KeyRing keyRing,
    ClusterLeadership leadership,
    IdentityDirectory directory,
    PlatformTokenReplayGuard replayGuard,
    IOptions<IdentityOptions> options,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<IdentityMaintenanceService> logger) : BackgroundService
{
    public const string LoopName = "identity-maintenance";

    /// <summary>The leader job's name (in <c>/readyz</c>).</summary>
    public const string KeyRotationJob = "key-rotation";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new BackgroundLoop(LoopName, health, time, logger).RunPeriodicAsync(options.Value.KeyCheckInterval, RunOnceAsync, stoppingToken);

    /// <summary>One round; failures propagate to the loop, which logs them, shows them in /readyz and retries.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (leadership.IsLeader)
        {
            await leadership.RunIfLeaderAsync(KeyRotationJob, RotateAsync, cancellationToken);
        }
        else
        {
            await keyRing.ReloadAsync(cancellationToken);
        }

        await directory.ReloadAsync(cancellationToken);
        var purged = await replayGuard.PurgeExpiredAsync(cancellationToken);
        if (purged > 0)
        {
            IdentityLog.RedemptionsPurged(logger, purged);
        }
    }

    private async Task RotateAsync(CancellationToken cancellationToken)
    {
        if (await keyRing.RotateIfDueAsync(cancellationToken))
        {
            IdentityLog.KeyCreated(logger);
        }
    }
}
