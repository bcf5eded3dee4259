using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mandate.Core.Decisions;

/// <summary>The single writer behind <see cref="DecisionAuditQueue"/>: appends queued decision records in batches.</summary>
internal sealed partial class DecisionAuditWriter(
    DecisionAuditQueue queue,
    AuditRepetitions repetitions,
    IMandateStore store,
    IAuditTrail audit,
    TimeProvider time,
    ILogger<DecisionAuditWriter> logger) : BackgroundService
{
    private const int BatchSize = 500;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Let the writer drain what is queued (and the counts of repeated denies) before the store goes away.
        await repetitions.FlushAsync().ConfigureAwait(false);
        queue.Complete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEvent>(BatchSize);
        var markers = new List<DecisionAuditQueue.FlushMarker>();
        var reader = queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (batch.Count < BatchSize && reader.TryRead(out var item))
                {
                    if (item is AuditEvent e)
                    {
                        batch.Add(e);
                    }
                    else if (item is DecisionAuditQueue.FlushMarker marker)
                    {
                        markers.Add(marker);
                        break;
                    }
                }

                await WriteWithRetryAsync(batch, stoppingToken).ConfigureAwait(false);
                batch.Clear();
                foreach (var marker in markers)
                {
                    marker.Completion.TrySetResult();
                }

                markers.Clear();
            }
        }
        finally
        {
            foreach (var marker in markers)
            {
                marker.Completion.TrySetCanceled(CancellationToken.None);
            }
        }
    }

    private async Task WriteWithRetryAsync(List<AuditEvent> batch, CancellationToken stoppingToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        // A store outage must not lose decisions: retry with a growing pause; during shutdown give up after a few tries.
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var session = await store.BeginAsync(StoreIntent.Write, CancellationToken.None).ConfigureAwait(false);
                await using var sessionDisposal = session.ConfigureAwait(false);
                foreach (var e in batch)
                {
                    await audit.RecordAsync(session, e, CancellationToken.None).ConfigureAwait(false);
                }

                await session.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (ObjectDisposedException) when (stoppingToken.IsCancellationRequested)
            {
                // The host is gone before the backlog was written (shutdown timeout): nothing can be written any more.
                LogDroppedAtShutdown(logger, batch.Count);
                return;
            }
            catch (StoreException e) when (attempt < 10 || !stoppingToken.IsCancellationRequested)
            {
                LogWriteFailed(logger, e, batch.Count, attempt);
                await Task.Delay(delay, time, CancellationToken.None).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "Shutdown overtook the decision audit writer: {Count} queued records were not written")]
    private static partial void LogDroppedAtShutdown(ILogger logger, int count);

    [LoggerMessage(EventId = 4100, Level = LogLevel.Error, Message = "Writing {Count} decision audit records failed (attempt {Attempt}); retrying")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count, int attempt);
}
