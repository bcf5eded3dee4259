using System.Threading.Channels;
using Mandate.Core.Audit;
using Mandate.Core.Hosting;
using Mandate.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Detection.Signals;

/// <summary>
/// Streams the ledger into the outbox: woken by the audit trail's append feed as records commit (and every
/// <see cref="SignalOptions.CatchUpInterval"/>, for records other nodes appended), it reads every record past its
/// cursor and lets each <see cref="ISignalFanOut"/> turn them into messages, written in the same transaction that
/// moves the cursor (compare-and-set): after a restart it resumes exactly where it stopped, nothing is sent twice from
/// one record and nothing skipped. Runs as the background loop <c>signals</c>.
/// </summary>
internal sealed partial class SignalFanOutLoop : BackgroundService
{
    public const string LoopName = "signals";
    private const int BatchSize = 500;

    private readonly IMandateStore store;
    private readonly IReadOnlyList<ISignalFanOut> fanOuts;
    private readonly SignalWake wake;
    private readonly SignalOptions options;
    private readonly BackgroundLoop loop;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly IDisposable? subscription;
    private long? lastIdleSkip;

    // The head as of the last read that found no receiver: nothing up to it is owed to anyone.
    private long skippedThrough;
    private readonly Channel<bool> appended = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public SignalFanOutLoop(
        IMandateStore store,
        IEnumerable<ISignalFanOut> fanOuts,
        SignalWake wake,
        AuditAppendFeed appends,
        IOptions<SignalOptions> options,
        BackgroundHealth health,
        TimeProvider time,
        ILogger<SignalFanOutLoop> logger)
    {
        ArgumentNullException.ThrowIfNull(appends);
        ArgumentNullException.ThrowIfNull(options);
        this.store = store;
        this.fanOuts = [.. fanOuts];
        this.wake = wake;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        loop = new BackgroundLoop(LoopName, health, time, logger);
        if (this.options.Enabled)
        {
            // Only a wake-up: the records themselves are read from the store, in order, past the cursor.
            subscription = appends.Subscribe(_ => appended.Writer.TryWrite(true));
        }
    }

    /// <summary>The last ledger sequence fanned out by this node (for tests and health).</summary>
    public long Cursor { get; private set; }

    /// <summary>The head as of this node's last round that found no receiver (for tests).</summary>
    internal long PassedOver => Interlocked.Read(ref skippedThrough);

    public override void Dispose()
    {
        subscription?.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Enabled ? loop.RunContinuouslyAsync(RunAsync, stoppingToken) : Task.CompletedTask;

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        loop.Succeeded();
        LogResumed(logger, Cursor);

        // The waits take no cancellation token (a wait with one allocates per call): the catch-up timer and the stopping
        // token wake the loop through the same channel the appends do.
        using var timer = time.CreateTimer(_ => appended.Writer.TryWrite(true), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        using var stopping = cancellationToken.Register(() => appended.Writer.TryWrite(true));
        var lastRound = time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!appended.Reader.TryRead(out _))
            {
                timer.Change(options.CatchUpInterval, Timeout.InfiniteTimeSpan);
                await appended.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false);
                appended.Reader.TryRead(out _);
            }

            // Rounds are spaced (SignalOptions.MinimumRoundInterval): what commits meanwhile is fanned out together.
            var spacing = options.MinimumRoundInterval - time.GetElapsedTime(lastRound);
            if (spacing > TimeSpan.Zero)
            {
                await Task.Delay(spacing, time, cancellationToken).ConfigureAwait(false);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            lastRound = time.GetTimestamp();
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Fans out every record past the cursor, one transaction per batch.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // A read first: most wake-ups on a node with nothing new cost no write transaction.
            long known;
            long head;
            var read = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
            await using (read.ConfigureAwait(false))
            {
                known = await read.Get<ISignalRepository>().GetCursorAsync(cancellationToken).ConfigureAwait(false);
                head = (await read.Get<IAuditRepository>().GetHeadAsync(cancellationToken).ConfigureAwait(false))?.Sequence ?? 0;
                if (head <= known)
                {
                    Cursor = known;
                    return;
                }

                if (!await AnyReceiverAsync(read, cancellationToken).ConfigureAwait(false))
                {
                    // Nobody to tell: no records are read, and the cursor moves at most once per catch-up interval
                    // (so that a receiver added later starts from about then, not from the whole backlog).
                    await SkipIdleAsync(known, head, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }

            var produced = new List<SignalDelivery>();
            int count;
            var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                var repository = session.Get<ISignalRepository>();
                var cursor = await repository.GetCursorAsync(cancellationToken).ConfigureAwait(false);

                // Records this node found nobody to tell about are not read again (see SkipIdleAsync).
                var from = Math.Max(cursor, Interlocked.Read(ref skippedThrough));
                var page = await session.Get<IAuditRepository>().QueryAsync(new AuditQuery { AfterSequence = from, Limit = BatchSize }, cancellationToken).ConfigureAwait(false);
                count = page.Count;
                if (count == 0)
                {
                    if (from > cursor && await repository.AdvanceCursorAsync(cursor, from, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
                    {
                        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                        cursor = from;
                    }

                    Cursor = cursor;
                    return;
                }

                foreach (var fanOut in fanOuts)
                {
                    await fanOut.FanOutAsync(session, page, produced, cancellationToken).ConfigureAwait(false);
                }

                if (!await repository.AdvanceCursorAsync(cursor, page[^1].Sequence, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
                {
                    // Another node fanned these out first; read again from where it left the cursor.
                    continue;
                }

                foreach (var delivery in produced)
                {
                    await repository.AddAsync(delivery, cancellationToken).ConfigureAwait(false);
                }

                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                Cursor = page[^1].Sequence;
            }

            if (produced.Count > 0)
            {
                wake.Raise();
            }

            if (count < BatchSize)
            {
                return;
            }
        }
    }

    private async Task<bool> AnyReceiverAsync(IStoreSession session, CancellationToken cancellationToken)
    {
        foreach (var fanOut in fanOuts)
        {
            if (await fanOut.HasReceiversAsync(session, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Passes over the records up to <paramref name="head"/> when no receiver exists: every one of them was committed
    /// before the read that found no receiver, so none is owed to a receiver added later. This node remembers the
    /// point (<see cref="skippedThrough"/>: a receiver added later is fanned out only what follows it) and stores it
    /// in the cursor at most once per catch-up interval, not once per ledger batch (after a restart, a receiver added
    /// within that interval may also get the records of the last interval before it).
    /// </summary>
    private async Task SkipIdleAsync(long known, long head, CancellationToken cancellationToken)
    {
        if (head > Interlocked.Read(ref skippedThrough))
        {
            Interlocked.Exchange(ref skippedThrough, head);
        }

        if (lastIdleSkip is { } last && time.GetElapsedTime(last) < options.CatchUpInterval)
        {
            Cursor = known;
            return;
        }

        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            if (await AnyReceiverAsync(session, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (await session.Get<ISignalRepository>().AdvanceCursorAsync(known, head, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            {
                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                Cursor = head;
            }
        }

        lastIdleSkip = time.GetTimestamp();
    }

    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Signal fan-out resumed after ledger record {Cursor}")]
    private static partial void LogResumed(ILogger logger, long cursor);
}
