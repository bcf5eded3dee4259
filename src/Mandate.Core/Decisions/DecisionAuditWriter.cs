using System.Diagnostics;
using Mandate.Core.Audit;
using Mandate.Core.Hosting;
using Mandate.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Decisions;

/// <summary>
/// The single writer behind <see cref="DecisionAuditQueue"/>: appends queued decision records in batches (one
/// transaction each), and writes the counts of allows answered without their record (<see cref="AuditLossCounter"/>)
/// every <see cref="DecisionOptions.AuditLossReportInterval"/>, on every flush and at shutdown. Unless decisions wait for
/// the disk (<see cref="AuditDurability.Flushed"/>), its transactions commit without a sync
/// (<see cref="StoreIntent.WriteWithoutFlush"/>) and the store is synced every
/// <see cref="DecisionOptions.AuditFlushInterval"/> after such a commit, and at shutdown.
/// </summary>
internal sealed partial class DecisionAuditWriter(
    DecisionAuditQueue queue,
    AuditRepetitions repetitions,
    IMandateStore store,
    IAuditTrail audit,
    BackgroundHealth health,
    TimeProvider time,
    IOptions<DecisionOptions> options,
    ILogger<DecisionAuditWriter> logger) : BackgroundService
{
    public const string LoopName = "decision-audit-writer";

    private const int BatchSize = 500;

    private const string GivenUp = "The audit writer stopped before the record was committed; the decision was not answered.";

    private readonly BackgroundLoop loop = new(LoopName, health, time, logger);

    // Cancelled when the host's shutdown deadline passes: only then does the writer stop retrying a batch.
    private CancellationToken shutdownDeadline = CancellationToken.None;

    // After the head moved under a remembered head, this many batches read it first (writers that keep colliding would
    // each pay a refused transaction per batch).
    private const int ReadHeadAfterCollision = 64;

    // The head as of this writer's last commit (only the writer loop uses it), and the batches still to read the head.
    private (long Sequence, string Hash)? rememberedHead;
    private int readHeadBatches;

    // The batch the writer loop is writing, for the one round delegate it reuses (a closure and a delegate per batch
    // before; only the writer loop uses them).
    private List<AuditEvent>? roundBatch;
    private AuditBatchCommit? roundCommit;
    private Func<CancellationToken, Task>? writeRound;

    // Also reused across batches by the writer loop alone: the commit callback that answers the round's batch (it runs
    // inside the round's commit, while roundCommit is that batch's), and the retry backoff, reset for every batch.
    private Action? answerRound;
    private readonly RetryBackoff backoff = new(RetryBackoff.DefaultInitial, TimeSpan.FromSeconds(5));

    // 1 once a batch committed without a sync and until the flusher has synced the store after it.
    private int unflushed;

    private StoreIntent WriteIntent => queue.Durability == AuditDurability.Flushed ? StoreIntent.Write : StoreIntent.WriteWithoutFlush;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        shutdownDeadline = cancellationToken;

        // Let the writer drain what is queued (and the counts of repeated denies) before the store goes away.
        await repetitions.FlushAsync().ConfigureAwait(false);
        queue.Complete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        health.Started(LoopName);
        var flushing = WriteIntent == StoreIntent.WriteWithoutFlush ? FlushLoopAsync(stoppingToken) : Task.CompletedTask;
        var batch = new List<AuditEvent>(BatchSize);
        var markers = new List<DecisionAuditQueue.FlushMarker>();
        var reader = queue.Reader;
        var interval = options.Value.AuditLossReportInterval;
        var lastReport = time.GetTimestamp();

        // An idle writer is woken to write counted losses; a busy one sees them after its next batch.
        using var reportTimer = time.CreateTimer(
            _ =>
            {
                if (queue.Losses.HasPending)
                {
                    queue.RequestLossReport();
                }
            },
            null,
            interval,
            interval);
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                var reportLosses = false;
                while (batch.Count < BatchSize && reader.TryRead(out var item))
                {
                    if (item is AuditEvent e)
                    {
                        batch.Add(e);
                    }
                    else if (item is DecisionAuditQueue.FlushMarker marker)
                    {
                        markers.Add(marker);
                        reportLosses = true;
                        break;
                    }
                    else if (item is DecisionAuditQueue.LossReportMarker)
                    {
                        reportLosses = true;
                    }
                }

                if (reportLosses || (queue.Losses.HasPending && time.GetElapsedTime(lastReport) >= interval))
                {
                    // The counts ride in the same transaction as the batch; they are taken (reset) only here.
                    batch.AddRange(queue.Losses.TakeReport());
                    lastReport = time.GetTimestamp();
                }

                // Decisions waiting for the commit (AuditDurability.Committed): the batch closes only when the queue is
                // drained, so every record that joined it is in this transaction or in one already committed.
                var closed = queue.CloseDrainedBatch();
                if (await WriteWithRetryAsync(batch, closed, stoppingToken).ConfigureAwait(false))
                {
                    closed?.Succeed();
                }
                else
                {
                    // Given up at shutdown: no decision whose record was not written is answered.
                    closed?.Fail(GivenUp);
                    queue.FailOpenBatch(GivenUp);
                }

                batch.Clear();
                foreach (var marker in markers)
                {
                    marker.Completion.TrySetResult();
                }

                markers.Clear();
            }

            // The queue is closed (shutdown): what was counted since the last report is written last.
            batch.AddRange(queue.Losses.TakeReport());
            await WriteWithRetryAsync(batch, null, stoppingToken).ConfigureAwait(false);
            await flushing.ConfigureAwait(false);
            await FlushIfNeededAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            // Whatever still waits for a commit will not get one from this writer.
            queue.FailOpenBatch(GivenUp);
            foreach (var marker in markers)
            {
                marker.Completion.TrySetCanceled(CancellationToken.None);
            }
        }
    }

    /// <summary>True once the batch is committed (an empty one at once); false when shutdown made the writer give it up.</summary>
    private async Task<bool> WriteWithRetryAsync(List<AuditEvent> batch, AuditBatchCommit? closed, CancellationToken stoppingToken)
    {
        if (batch.Count == 0)
        {
            return true;
        }

        // A queued decision is never dropped for a store error: the batch is retried (capped, jittered backoff) until it
        // is written. Only the host's shutdown deadline ends the retries; what is then unwritten is logged as lost.
        // Capped low: a backlog of decisions waits on this writer, so it retries often once the store is back. Every
        // batch starts from the first step (a batch given up at shutdown leaves its failures counted).
        backoff.Reset();
        while (true)
        {
            // A batch is one transaction: a failed or refused attempt (the head moved) leaves none of it in the chain, and
            // its waiting decisions are completed only after the attempt that commits.
            roundBatch = batch;
            roundCommit = closed;
            if (await loop.RunRoundAsync(writeRound ??= _ => WriteAsync(roundBatch!, roundCommit), backoff, CancellationToken.None).ConfigureAwait(false))
            {
                return true;
            }

            if (stoppingToken.IsCancellationRequested && shutdownDeadline.IsCancellationRequested)
            {
                LogDroppedAtShutdown(logger, batch.Count);
                return false;
            }

            try
            {
                await Task.Delay(backoff.Next(), time, shutdownDeadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The deadline passed while waiting: one last attempt, then give up.
            }
        }
    }

    private async Task WriteAsync(List<AuditEvent> batch, AuditBatchCommit? closed)
    {
        try
        {
            var records = await WriteOnRememberedHeadAsync(batch, closed).ConfigureAwait(false);
            if (records is null)
            {
                var session = await store.BeginAsync(WriteIntent, CancellationToken.None).ConfigureAwait(false);
                await using var sessionDisposal = session.ConfigureAwait(false);
                AnswerFirst(session, closed);

                // One head read and batched inserts for the whole batch, one commit.
                records = await audit.RecordManyAsync(session, batch, CancellationToken.None).ConfigureAwait(false);
                await session.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            rememberedHead = (records[^1].Sequence, records[^1].Hash);
            if (WriteIntent == StoreIntent.WriteWithoutFlush)
            {
                Volatile.Write(ref unflushed, 1);
            }
        }
        catch
        {
            rememberedHead = null;
            throw;
        }
    }

    /// <summary>
    /// The batch chained onto the head this writer committed last, without reading it (with one client deciding at a
    /// time every decision is a batch of its own, and the head read was a statement per decision). Null when there is
    /// none to use, or when another writer appended meanwhile (the store refuses the taken sequence number and nothing
    /// is written): the caller then reads the head, and so do the next <see cref="ReadHeadAfterCollision"/> batches.
    /// </summary>
    private async ValueTask<IReadOnlyList<AuditRecord>?> WriteOnRememberedHeadAsync(List<AuditEvent> batch, AuditBatchCommit? closed)
    {
        if (readHeadBatches > 0)
        {
            readHeadBatches--;
            return null;
        }

        if (rememberedHead is not { } head)
        {
            return null;
        }

        rememberedHead = null;
        var session = await store.BeginAsync(WriteIntent, CancellationToken.None).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            AnswerFirst(session, closed);
            var records = await audit.TryRecordManyOnHeadAsync(session, batch, head, CancellationToken.None).ConfigureAwait(false);
            if (records is not null)
            {
                await session.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                return records;
            }
        }

        // Another writer on this node (a state change's own record) or on another node appended since our last batch.
        readHeadBatches = ReadHeadAfterCollision;
        return null;
    }

    /// <summary>
    /// Completes the batch's waiting decisions as the transaction's first commit callback, before the ledger announces the
    /// records (the detection and signal loops' wake-ups, queued to the same thread pool): a waiting decision's
    /// continuation is queued ahead of the work the commit sets off, not behind it. Registered before anything is
    /// written, so it runs only if this session commits; a session that rolls back (a refused head, a failure) runs none.
    /// </summary>
    private void AnswerFirst(IStoreSession session, AuditBatchCommit? closed)
    {
        if (closed is not null)
        {
            // Only ever the round's own batch (WriteAsync is called with roundCommit): one delegate for every round.
            Debug.Assert(ReferenceEquals(closed, roundCommit), "A round answers the batch it writes.");
            session.OnCommitted(answerRound ??= () => roundCommit?.Succeed());
        }
    }

    /// <summary>Syncs the store every <see cref="DecisionOptions.AuditFlushInterval"/> when a batch committed without a sync since.</summary>
    private async Task FlushLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.AuditFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await FlushIfNeededAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: the writer syncs once more after its last batch.
        }
    }

    private async Task FlushIfNeededAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref unflushed, 0) == 0)
        {
            return;
        }

        try
        {
            await store.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The records are committed (a process crash keeps them); the next tick, or the last sync at shutdown, tries
            // again.
            Volatile.Write(ref unflushed, 1);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            LogFlushFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Syncing the decision ledger to the disk failed; retried at the next interval")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "Shutdown overtook the decision audit writer: {Count} queued records were not written")]
    private static partial void LogDroppedAtShutdown(ILogger logger, int count);
}
