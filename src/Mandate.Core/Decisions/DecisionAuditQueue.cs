using System.Diagnostics;
using System.Threading.Channels;
using Mandate.Core.Audit;
using Mandate.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Decisions;

/// <summary>
/// Decouples deciding from writing the audit log: decisions enqueue their record and a single writer
/// (<see cref="DecisionAuditWriter"/>) appends them in batches, many per transaction. When the queue is full a decision
/// waits for room (backpressure), at most <see cref="DecisionOptions.AuditQueueWaitTimeout"/>, and is then refused
/// (<see cref="AuditUnavailableException"/>): nothing is answered without its record unless the operator chose
/// <see cref="AuditOverflow.DropAllows"/> or sampling, and then what is not written is counted in the chain
/// (<see cref="Losses"/>).
/// With <see cref="AuditDurability.Committed"/> (the default) a record that must be written is awaited until the
/// transaction holding it has committed, not only queued: a crash then loses no answered decision.
/// </summary>
internal sealed class DecisionAuditQueue
{
    private readonly Channel<object> channel;
    private readonly TimeSpan waitTimeout;
    private readonly AuditOverflow overflow;
    private readonly MandateMetrics? metrics;
    private readonly AuditDurability durability;

    // Which batch a record rides in. A record joins the open batch in the same critical section as it enters the
    // channel, and the writer closes the open batch only under this lock and only when the channel is empty: so every
    // record that joined a batch was read by the writer before the batch closed, in that batch's transaction or an
    // earlier one (the writer commits in order), and the writer completes the batch after that commit. Counting
    // ("committed >= my ticket") would be wrong here: the order records enter the channel is not the order tickets
    // would be drawn in. One shared completion per batch keeps a waiting decision free of allocations of its own.
    private readonly Lock gate = new();
    private AuditBatchCommit open = new();

    // The deadlines of the joined batches, on one timer rather than one per batch (an object per write). Under the gate:
    // the batches not yet seen completed, in the order their first records joined, which is the order their deadlines
    // fall in (one timeout for all); the timer is armed for the oldest whenever there is one.
    private readonly Queue<AuditBatchCommit> deadlines = new();
    private readonly ITimer deadlineTimer;

    public DecisionAuditQueue(IOptions<DecisionOptions> options, TimeProvider? time = null, MandateMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        this.metrics = metrics;
        waitTimeout = settings.AuditQueueWaitTimeout;
        overflow = settings.AuditOverflow;
        durability = settings.AuditDurability;
        Losses = new AuditLossCounter(time ?? TimeProvider.System, settings.AuditAllowSampleRate, metrics);
        channel = Channel.CreateBounded<object>(new BoundedChannelOptions(Math.Max(16, settings.AuditQueueCapacity))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        // Real time, as the wait for room (CancelAfter): the deadline bounds what a caller waits, whatever clock the
        // server's logic runs on. Armed only while a batch waits for its commit.
        deadlineTimer = TimeProvider.System.CreateTimer(static state => ((DecisionAuditQueue)state!).ExpireOverdue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Allows answered without their record (sampled out, or dropped by <see cref="AuditOverflow.DropAllows"/>).</summary>
    public AuditLossCounter Losses { get; }

    internal ChannelReader<object> Reader => channel.Reader;

    /// <summary>When an awaited record counts as written (<see cref="DecisionOptions.AuditDurability"/>).</summary>
    public AuditDurability Durability => durability;

    /// <summary>
    /// Enqueues a record that must be written, waiting for room if needed, at most
    /// <see cref="DecisionOptions.AuditQueueWaitTimeout"/>; then throws <see cref="AuditUnavailableException"/>. With
    /// <see cref="AuditDurability.Committed"/> it completes only once the record is committed, and throws
    /// <see cref="AuditUnavailableException"/> when that does not happen within the timeout.
    /// </summary>
    public ValueTask EnqueueAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        if (durability == AuditDurability.Queued)
        {
            // The common case costs one TryWrite and no allocation.
            return channel.Writer.TryWrite(auditEvent) ? ValueTask.CompletedTask : WaitForRoomAsync(auditEvent, cancellationToken);
        }

        // Wrapping the batch's shared task in a ValueTask allocates nothing per decision.
        return TryJoin(auditEvent) is { } commit ? new ValueTask(commit.Committed) : WaitForRoomAsync(auditEvent, cancellationToken);
    }

    /// <summary>
    /// Enqueues an allow's record. Under <see cref="AuditOverflow.DropAllows"/> a full queue drops it (counted);
    /// otherwise it waits like every record (<see cref="EnqueueAsync"/>).
    /// </summary>
    public ValueTask EnqueueAllowAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        if (durability == AuditDurability.Queued)
        {
            if (channel.Writer.TryWrite(auditEvent))
            {
                return ValueTask.CompletedTask;
            }
        }
        else if (TryJoin(auditEvent) is { } commit)
        {
            return new ValueTask(commit.Committed);
        }

        if (overflow == AuditOverflow.DropAllows)
        {
            Losses.Dropped();
            return ValueTask.CompletedTask;
        }

        return WaitForRoomAsync(auditEvent, cancellationToken);
    }

    /// <summary>
    /// Enqueues a record the server writes for itself (a count of folded repeats), waiting as long as it takes: such a
    /// record answers no caller, and losing it would lose the count. Completes once queued, whatever the durability.
    /// </summary>
    public ValueTask EnqueueWithoutDeadlineAsync(AuditEvent auditEvent, CancellationToken cancellationToken) =>
        channel.Writer.WriteAsync(auditEvent, cancellationToken);

    /// <summary>An allow sampled out: counted, and reported in the chain by the writer.</summary>
    public void SampledOut() => Losses.Sampled();

    /// <summary>
    /// Completes once every record enqueued before the call is committed to the store, together with a report of the
    /// allows not written so far.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var marker = new FlushMarker();
        await channel.Writer.WriteAsync(marker, cancellationToken).ConfigureAwait(false);
        await marker.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Wakes the writer to report counted losses when it is idle (a full queue means it is busy and will see them).</summary>
    internal void RequestLossReport() => channel.Writer.TryWrite(LossReportMarker.Instance);

    internal void Complete() => channel.Writer.TryComplete();

    /// <summary>
    /// Closes the open batch if the channel is empty (every record that joined it has been read by the writer) and
    /// records joined it; the writer completes what it returns once the transaction it is about to write commits.
    /// </summary>
    internal AuditBatchCommit? CloseDrainedBatch()
    {
        if (durability == AuditDurability.Queued)
        {
            return null;
        }

        lock (gate)
        {
            if (!open.Joined || channel.Reader.Count > 0)
            {
                return null;
            }

            var closed = open;
            open = new AuditBatchCommit();
            return closed;
        }
    }

    /// <summary>Refuses the decisions waiting in the open batch (the writer stopped or gave its records up).</summary>
    internal void FailOpenBatch(string message)
    {
        AuditBatchCommit failed;
        lock (gate)
        {
            failed = open;
            open = new AuditBatchCommit();
        }

        failed.Fail(message);
    }

    /// <summary>
    /// The deadline timer: the batches whose deadline passed before they committed are refused, and later records join a
    /// new batch (theirs must not inherit a refusal); the timer is armed again for the oldest batch still waiting. The
    /// writer may still commit an expired batch's records: the ledger may then hold a decision its caller was refused,
    /// never the reverse.
    /// </summary>
    private void ExpireOverdue()
    {
        List<AuditBatchCommit>? expired = null;
        lock (gate)
        {
            // A late run (the timer re-armed meanwhile) finds nothing overdue and only arms the timer again.
            while (DropCompletedDeadlines() is { } oldest)
            {
                var left = waitTimeout - Stopwatch.GetElapsedTime(oldest.JoinedAt);
                if (left > TimeSpan.Zero)
                {
                    deadlineTimer.Change(left, Timeout.InfiniteTimeSpan);
                    break;
                }

                deadlines.Dequeue();
                if (ReferenceEquals(open, oldest))
                {
                    open = new AuditBatchCommit();
                }

                (expired ??= []).Add(oldest);
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var commit in expired)
        {
            if (commit.Fail("The audit ledger did not commit the record in time; the decision was not answered."))
            {
                metrics?.AuditRefused();
            }
        }
    }

    /// <summary>Drops the completed batches at the front of the deadlines (under the gate); the oldest still waiting, if any.</summary>
    private AuditBatchCommit? DropCompletedDeadlines()
    {
        while (deadlines.TryPeek(out var oldest))
        {
            if (!oldest.Committed.IsCompleted)
            {
                return oldest;
            }

            deadlines.Dequeue();
        }

        return null;
    }

    private AuditBatchCommit? TryJoin(AuditEvent auditEvent)
    {
        lock (gate)
        {
            if (!channel.Writer.TryWrite(auditEvent))
            {
                return null;
            }

            if (open.Join())
            {
                // The batches already committed leave the deadlines here too, so that they do not pile up until a tick.
                DropCompletedDeadlines();
                deadlines.Enqueue(open);
                if (deadlines.Count == 1)
                {
                    deadlineTimer.Change(waitTimeout, Timeout.InfiniteTimeSpan);
                }
            }

            return open;
        }
    }

    private async ValueTask WaitForRoomAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        metrics?.AuditQueueWaited();
        AuditBatchCommit? commit = null;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(waitTimeout);
            try
            {
                if (durability == AuditDurability.Queued)
                {
                    await channel.Writer.WriteAsync(auditEvent, deadline.Token).ConfigureAwait(false);
                }
                else
                {
                    // The record must join a batch in the same critical section as it enters the channel: wait for
                    // room, then try again under the lock (another decision may have taken the room).
                    while ((commit = TryJoin(auditEvent)) is null)
                    {
                        if (!await channel.Writer.WaitToWriteAsync(deadline.Token).ConfigureAwait(false))
                        {
                            throw new ChannelClosedException();
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                metrics?.AuditRefused();
                throw new AuditUnavailableException();
            }
        }

        if (commit is not null)
        {
            await commit.Committed.ConfigureAwait(false);
        }
    }

    internal sealed class FlushMarker
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    internal sealed class LossReportMarker
    {
        public static readonly LossReportMarker Instance = new();
    }
}
