using System.Buffers;
using System.Text;
using System.Threading.Channels;
using Mandate.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Audit;

/// <summary>
/// Chains each event to its predecessor (see <see cref="AuditHashing"/>). Events recorded in a caller's session join
/// that transaction; events appended on their own are queued and written by one writer loop, many per transaction,
/// so one fsync acknowledges a whole batch. The writer remembers the head it last committed and chains the next batch
/// onto it without reading the head first (the chain lock travels with the INSERT); the primary key on the sequence
/// number refuses the batch if anyone else appended meanwhile, and the batch is then redone on a freshly read head.
/// </summary>
internal sealed class AuditTrail : IAuditTrail, IAsyncDisposable
{
    public const string GenesisHash = AuditHashing.GenesisHash;

    private readonly TimeProvider time;
    private readonly IMandateStore store;
    private readonly AuditOptions options;
    private readonly ILogger logger;

    // Registered with the audit ledger (checkpoints); a trail without a ledger counts nothing.
    private readonly AuditCheckpointSignal? signal;

    // Told of every committed record (the detection engine streams from it); none in a bare container.
    private readonly AuditAppendFeed? feed;

    // Not SingleReader: that channel cannot count its items, which the batching needs (GroupCommit).
    private readonly Channel<PendingAppend> queue = Channel.CreateUnbounded<PendingAppend>();

    // After a collision, this many batches read the head before remembering it again.
    private const int OptimisticPauseBatches = 64;

    private readonly Lock startLock = new();

    // The head as of this writer's last commit. Only the writer loop reads or sets these; an append made elsewhere
    // (RecordAsync, another node) makes it stale, which the next batch detects as a taken sequence number.
    private (long Sequence, string Hash)? rememberedHead;
    private int optimisticPause;

    // Events recorded inside callers' sessions on this node move the head too; the writer then reads it rather than
    // colliding with them.
    private long sessionAppends;
    private long sessionAppendsAtRememberedHead;
    private Task? writer;
    private readonly Telemetry.MandateMetrics? metrics;

    // No cycle: the store needs nothing from the audit trail, so everything arrives by constructor. The logger factory
    // and the checkpoint signal are optional (a bare container without logging or the ledger still gets a trail).
    public AuditTrail(
        TimeProvider time,
        IMandateStore store,
        IOptions<AuditOptions> options,
        ILoggerFactory? loggerFactory = null,
        AuditCheckpointSignal? signal = null,
        AuditAppendFeed? feed = null,
        Telemetry.MandateMetrics? metrics = null)
    {
        this.metrics = metrics;
        ArgumentNullException.ThrowIfNull(options);
        this.time = time;
        this.store = store;
        this.options = options.Value;
        this.signal = signal;
        this.feed = feed;
        logger = loggerFactory?.CreateLogger("Mandate.Core.Audit") ?? NullLogger.Instance;
    }

    public async Task<AuditRecord> RecordAsync(IStoreSession session, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var sanitized = Prepare(auditEvent);
        Interlocked.Increment(ref sessionAppends);
        var repository = session.Get<IAuditRepository>();
        var head = await repository.GetHeadForAppendAsync(cancellationToken).ConfigureAwait(false);
        var record = Chain(head?.Sequence ?? 0, head?.Hash ?? GenesisHash, sanitized);
        await repository.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        signal?.Appended(1);
        if (feed is { } announce)
        {
            session.OnCommitted(() => announce.Committed([record]));
        }

        if (metrics is { } counted)
        {
            session.OnCommitted(() => counted.AuditAppended(1));
        }

        return record;
    }

    public async Task<IReadOnlyList<AuditRecord>> RecordManyAsync(IStoreSession session, IReadOnlyList<AuditEvent> auditEvents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(auditEvents);
        if (auditEvents.Count == 0)
        {
            return [];
        }

        var sanitized = PrepareAll(auditEvents);
        Interlocked.Increment(ref sessionAppends);
        var repository = session.Get<IAuditRepository>();
        var head = await repository.GetHeadForAppendAsync(cancellationToken).ConfigureAwait(false);
        var records = ChainAll(head, sanitized);
        await AppendChainedAsync(session, repository, records, cancellationToken).ConfigureAwait(false);
        return records;
    }

    // A ValueTask: on the in-process store the append completes synchronously, once per group-commit batch.
    public async ValueTask<IReadOnlyList<AuditRecord>?> TryRecordManyOnHeadAsync(IStoreSession session, IReadOnlyList<AuditEvent> auditEvents, (long Sequence, string Hash) head, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(auditEvents);
        ArgumentNullException.ThrowIfNull(head.Hash);
        if (auditEvents.Count == 0)
        {
            return [];
        }

        var sanitized = PrepareAll(auditEvents);
        Interlocked.Increment(ref sessionAppends);
        var repository = session.Get<IAuditRepository>();
        var records = ChainAll(head.Sequence, head.Hash, sanitized);
        if (!await repository.TryAppendOnRememberedHeadAsync(records, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        Announce(session, records);
        return records;
    }

    public async Task<IReadOnlyList<AuditRecord>> RecordManyAlongsideAsync(IStoreSession session, Func<IReadOnlyList<AuditEvent>> build, Func<Task> alongside, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(alongside);
        var repository = session.Get<IAuditRepository>();
        if (!repository.WritersAreSerialized)
        {
            // A server store's writers run side by side: holding the head while the change is written would hold back
            // every other node's appends for as long. The events are built beside the change and chained after it.
            var building = Task.Run(build, cancellationToken);
            await Task.WhenAll(alongside(), building).ConfigureAwait(false);
            return await RecordManyAsync(session, await building.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Increment(ref sessionAppends);

        // The head cannot move once it is locked, so the records can be chained onto it before the change they record
        // is written.
        var head = await repository.GetHeadForAppendAsync(cancellationToken).ConfigureAwait(false);
        var chaining = Task.Run(() => ChainAll(head, [.. build().Select(Prepare)]), cancellationToken);
        var writing = alongside();

        // Both are awaited whatever happens, so a failure of either is observed and the other is not left running.
        await Task.WhenAll(writing, chaining).ConfigureAwait(false);
        var records = await chaining.ConfigureAwait(false);
        if (records.Count == 0)
        {
            return [];
        }

        await AppendChainedAsync(session, repository, records, cancellationToken).ConfigureAwait(false);
        return records;
    }

    // A loop rather than Select(Prepare).ToList(): once per group-commit batch, and with one caller deciding at a time
    // once per audited decision. Nearly always nothing is redacted, and the caller's own list is then chained (its
    // caller awaits the append, so it does not change meanwhile): a list is made only when an event was replaced.
    private IReadOnlyList<AuditEvent> PrepareAll(IReadOnlyList<AuditEvent> auditEvents)
    {
        List<AuditEvent>? sanitized = null;
        for (var i = 0; i < auditEvents.Count; i++)
        {
            var prepared = Prepare(auditEvents[i]);
            if (sanitized is null && !ReferenceEquals(prepared, auditEvents[i]))
            {
                sanitized = new List<AuditEvent>(auditEvents.Count);
                for (var before = 0; before < i; before++)
                {
                    sanitized.Add(auditEvents[before]);
                }
            }

            sanitized?.Add(prepared);
        }

        return sanitized ?? auditEvents;
    }

    private List<AuditRecord> ChainAll(AuditRecord? head, IReadOnlyList<AuditEvent> sanitized) =>
        ChainAll(head?.Sequence ?? 0, head?.Hash ?? GenesisHash, sanitized);

    private List<AuditRecord> ChainAll(long sequence, string hash, IReadOnlyList<AuditEvent> sanitized)
    {
        var records = new List<AuditRecord>(sanitized.Count);
        for (var i = 0; i < sanitized.Count; i++)
        {
            var record = Chain(sequence, hash, sanitized[i]);
            records.Add(record);
            (sequence, hash) = (record.Sequence, record.Hash);
        }

        return records;
    }

    private async Task AppendChainedAsync(IStoreSession session, IAuditRepository repository, List<AuditRecord> records, CancellationToken cancellationToken)
    {
        await repository.AppendManyAsync(records, cancellationToken).ConfigureAwait(false);
        Announce(session, records);
    }

    /// <summary>Counts the appended records for the checkpoints, and announces them (feed, metrics) once committed.</summary>
    private void Announce(IStoreSession session, List<AuditRecord> records)
    {
        signal?.Appended(records.Count);
        if (feed is not null || metrics is not null)
        {
            // One callback for both (a delegate and its closure per batch): the feed first, then the count.
            session.OnCommitted(() =>
            {
                feed?.Committed(records);
                metrics?.AuditAppended(records.Count);
            });
        }
    }

    public Task<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var pending = new PendingAppend(Prepare(auditEvent), new TaskCompletionSource<AuditRecord>(TaskCreationOptions.RunContinuationsAsynchronously));
        EnsureWriter();
        if (!queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(AuditTrail), "The audit trail is shutting down; the event was not recorded.");
        }

        // Giving up waiting does not withdraw the event: once queued it is written, acknowledged or not.
        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    public static string ComputeHash(string previousHash, string canonicalJson) => AuditHashing.ChainHash(previousHash, canonicalJson);

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        if (writer is not null)
        {
            await writer.ConfigureAwait(false);
        }
    }

    private AuditEvent Prepare(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        if (string.IsNullOrWhiteSpace(auditEvent.Type))
        {
            throw new ArgumentException("An audit event needs a type.", nameof(auditEvent));
        }

        var sanitized = AuditSecretGuard.Sanitize(auditEvent, out var redacted);
        if (redacted.Count > 0)
        {
            AuditLog.SecretRedacted(logger, auditEvent.Type, string.Join(", ", redacted));
        }

        return sanitized;
    }

    private static AuditRecord Chain(long previousSequence, string previousHash, AuditEvent auditEvent, DateTimeOffset now)
    {
        var sequence = previousSequence + 1;
        // The row is what the store keeps, and the hashed body is written from it: the bytes a reader rebuilds.
        var row = AuditRow.From(sequence, now, auditEvent);
        var body = BodyBuffer ??= new ArrayBufferWriter<byte>(1024);
        body.ResetWrittenCount();
        AuditCanonicalForm.Write(row, auditEvent.Chain, body);
        Span<byte> hash = stackalloc byte[32];
        AuditHashing.ChainHash(previousHash, body.WrittenSpan, hash);
        return new AuditRecord(sequence, now, auditEvent, previousHash, Convert.ToHexStringLower(hash)) { Row = row };
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? BodyBuffer;

    private AuditRecord Chain(long previousSequence, string previousHash, AuditEvent auditEvent) =>
        // Bodies keep milliseconds, as the stores do, so a record read back hashes the same.
        Chain(previousSequence, previousHash, auditEvent, DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()));

    private void EnsureWriter()
    {
        if (writer is not null)
        {
            return;
        }

        lock (startLock)
        {
            writer ??= Task.Run(WriteLoopAsync);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingAppend>();
        while (await queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            await GroupCommit.LetTheBatchFillAsync(queue.Reader).ConfigureAwait(false);
            batch.Clear();
            var max = Math.Max(1, options.MaxBatchSize);
            while (batch.Count < max && queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            try
            {
                var records = await WriteBatchAsync(batch).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(records[i]);
                }

                signal?.Appended(batch.Count);
            }
#pragma warning disable CA1031 // Every failure must reach the waiting appenders; the loop keeps serving the next batch.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                rememberedHead = null;
                AuditLog.GroupCommitFailed(logger, ex, batch.Count);
                var failure = ex as StoreException ?? new StoreException("The audit event could not be committed: " + ex.Message, ex);
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(failure);
                }
            }
        }
    }

    private async Task<List<AuditRecord>> WriteBatchAsync(List<PendingAppend> batch)
    {
        // The batch is committed as a whole; nobody can cancel half of it.
        if (rememberedHead is { } remembered && optimisticPause == 0 && Interlocked.Read(ref sessionAppends) == sessionAppendsAtRememberedHead)
        {
            var optimistic = await store.BeginAsync(StoreIntent.Write, CancellationToken.None).ConfigureAwait(false);
            await using (optimistic.ConfigureAwait(false))
            {
                var rows = ChainBatch(remembered.Sequence, remembered.Hash, batch);
                if (await optimistic.Get<IAuditRepository>().TryAppendOnRememberedHeadAsync(rows, CancellationToken.None).ConfigureAwait(false))
                {
                    await CommitAsync(optimistic, rows).ConfigureAwait(false);
                    return rows;
                }
            }

            // Someone else appended (another node, or a state change on this node in the instant before our commit):
            // read the head for a while instead of guessing, so several writers do not keep colliding.
            AuditLog.HeadMoved(logger, batch.Count);
            rememberedHead = null;
            optimisticPause = OptimisticPauseBatches;
        }
        else if (optimisticPause > 0)
        {
            optimisticPause--;
        }

        var session = await store.BeginAsync(StoreIntent.Write, CancellationToken.None).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var repository = session.Get<IAuditRepository>();
            var head = await repository.GetHeadForAppendAsync(CancellationToken.None).ConfigureAwait(false);
            var rows = ChainBatch(head?.Sequence ?? 0, head?.Hash ?? GenesisHash, batch);
            await repository.AppendManyAsync(rows, CancellationToken.None).ConfigureAwait(false);
            await CommitAsync(session, rows).ConfigureAwait(false);
            return rows;
        }
    }

    private List<AuditRecord> ChainBatch(long sequence, string hash, List<PendingAppend> batch)
    {
        var rows = new List<AuditRecord>(batch.Count);
        foreach (var pending in batch)
        {
            var row = Chain(sequence, hash, pending.Event);
            rows.Add(row);
            sequence = row.Sequence;
            hash = row.Hash;
        }

        return rows;
    }

    private async Task CommitAsync(IStoreSession session, List<AuditRecord> rows)
    {
        rememberedHead = null;
        var sessionAppendsBeforeCommit = Interlocked.Read(ref sessionAppends);
        await session.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        metrics?.AuditAppended(rows.Count);
        var last = rows[^1];
        rememberedHead = (last.Sequence, last.Hash);
        sessionAppendsAtRememberedHead = sessionAppendsBeforeCommit;
        feed?.Committed(rows);
    }

    private sealed record PendingAppend(AuditEvent Event, TaskCompletionSource<AuditRecord> Completion);
}
