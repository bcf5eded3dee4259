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
        while (!cancellationToken.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                wait.CancelAfter(options.CatchUpInterval);
                try
                {
                    await appended.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The catch-up interval passed without an append on this node.
                }
            }

            appended.Reader.TryRead(out _);
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Fans out every record past the cursor, one transaction per batch.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // A read first: most wake-ups on a node with nothing new cost no write transaction.
            var read = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
            await using (read.ConfigureAwait(false))
            {
                var known = await read.Get<ISignalRepository>().GetCursorAsync(cancellationToken).ConfigureAwait(false);
                var head = (await read.Get<IAuditRepository>().GetHeadAsync(cancellationToken).ConfigureAwait(false))?.Sequence ?? 0;
                if (head <= known)
                {
                    Cursor = known;
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
                var page = await session.Get<IAuditRepository>().QueryAsync(new AuditQuery { AfterSequence = cursor, Limit = BatchSize }, cancellationToken).ConfigureAwait(false);
                count = page.Count;
                if (count == 0)
                {
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

    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Signal fan-out resumed after ledger record {Cursor}")]
    private static partial void LogResumed(ILogger logger, long cursor);
}
