using Mandate.Core.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.DynamicCredentials;

/// <summary>
/// Removes the downstream credentials of ended tasks. Woken at once when a task's end commits on this node (any node:
/// each removal is claimed in the store, so two nodes never attempt the same one together); every
/// <see cref="DynamicCredentialOptions.RevocationInterval"/> the leader also marks leases past their own expiry and
/// retries failed removals, so a removal that failed, or whose node stopped, is never forgotten. A store or downstream
/// failure is logged and retried; it never stops the service.
/// </summary>
internal sealed partial class DynamicCredentialRevoker(
    DynamicCredentialService service,
    DynamicCredentialSignal signal,
    IOptions<DynamicCredentialOptions> options,
    ClusterLeadership leadership,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<DynamicCredentialRevoker> logger) : BackgroundService
{
    public const string LoopName = "dynamic-credential-revoker";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (service.EngineNames.Count == 0)
        {
            // No engine configured: nothing can ever be issued, so nothing needs removing.
            return;
        }

        health.Started(LoopName);
        var interval = options.Value.RevocationInterval;
        var last = time.GetTimestamp();
        var periodic = true;
        var backoff = new RetryBackoff(RetryBackoff.DefaultInitial, interval * 4 < RetryBackoff.DefaultCap ? interval * 4 : RetryBackoff.DefaultCap);
        var pause = interval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = signal.Next;
            try
            {
                if (periodic)
                {
                    await leadership.RunIfLeaderAsync(LoopName, async token =>
                    {
                        await service.RequestStaleAsync(token).ConfigureAwait(false);
                        await RemoveAsync(token).ConfigureAwait(false);
                    }, stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    await RemoveAsync(stoppingToken).ConfigureAwait(false);
                }

                health.Succeeded(LoopName);
                backoff.Reset();
                pause = interval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A store outage must not stop the revoker: it is logged and the next round retries.
            catch (Exception e)
#pragma warning restore CA1031
            {
                health.Failed(LoopName, e);
                LogRoundFailed(logger, e);
                pause = backoff.Next();
            }

            try
            {
                var delay = Task.Delay(pause, time, stoppingToken);
                await Task.WhenAny(wake, delay).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // After a failure the next round is a full one, so that a store outage does not strand a nudged removal.
            periodic = !wake.IsCompleted || pause != interval || time.GetElapsedTime(last) >= interval;
            if (periodic)
            {
                last = time.GetTimestamp();
            }
        }
    }

    private async Task RemoveAsync(CancellationToken cancellationToken)
    {
        var removed = await service.RevokeDueAsync(cancellationToken).ConfigureAwait(false);
        if (removed > 0)
        {
            LogRemoved(logger, removed);
        }

        // Renewals' extensions after removals: a task that ended while its extension waited loses the credential first.
        var extended = await service.ExtendDueAsync(cancellationToken).ConfigureAwait(false);
        if (extended > 0)
        {
            LogExtended(logger, extended);
        }
    }

    [LoggerMessage(EventId = 2312, Level = LogLevel.Information, Message = "Extended {Count} dynamic credentials of renewed tasks")]
    private static partial void LogExtended(ILogger logger, int count);

    [LoggerMessage(EventId = 2310, Level = LogLevel.Information, Message = "Removed {Count} dynamic credentials of ended tasks")]
    private static partial void LogRemoved(ILogger logger, int count);

    [LoggerMessage(EventId = 2311, Level = LogLevel.Warning, Message = "A dynamic credential removal round failed; retrying")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
