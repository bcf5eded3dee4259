using System.Threading.Channels;
using Mandate.Core.Audit;
using Mandate.Core.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Detection;

/// <summary>
/// Streams the ledger into the <see cref="DetectionEngine"/>: records arrive from the audit trail's append feed as
/// their transactions commit; a record that does not continue the cursor (a gap: records from another node, a feed
/// overflow, commits announced out of order) makes the engine read the missing ones from the store first. On start,
/// and after any failure, it reloads cursor and state from the store, runs unfinished responses and catches up, so
/// nothing is processed twice and nothing skipped. Runs as a <see cref="BackgroundLoop"/> (state in /readyz).
/// </summary>
internal sealed partial class DetectionLoop : BackgroundService
{
    public const string LoopName = "detection";

    // The feed never blocks a committing writer: beyond this many waiting records it drops, and the gap is read back.
    // A null in it is only a wake-up (a timer or the stopping token).
    private const int FeedCapacity = 50_000;

    private readonly DetectionEngine engine;
    private readonly DetectionOptions options;
    private readonly BackgroundLoop loop;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly Channel<AuditRecord?> feed = Channel.CreateBounded<AuditRecord?>(new BoundedChannelOptions(FeedCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly IDisposable? subscription;

    public DetectionLoop(DetectionEngine engine, AuditAppendFeed appends, IOptions<DetectionOptions> options, BackgroundHealth health, TimeProvider time, ILogger<DetectionLoop> logger)
    {
        ArgumentNullException.ThrowIfNull(appends);
        ArgumentNullException.ThrowIfNull(options);
        this.engine = engine;
        this.options = options.Value;
        this.logger = logger;
        this.time = time;
        loop = new BackgroundLoop(LoopName, health, time, logger);

        // Subscribed from construction (before the first catch-up read), so no commit falls between the two.
        if (this.options.Enabled)
        {
            subscription = appends.Subscribe(records =>
            {
                // By index: foreach over the interface boxes an enumerator per committed batch.
                for (var i = 0; i < records.Count; i++)
                {
                    feed.Writer.TryWrite(records[i]);
                }
            });
        }
    }

    public override void Dispose()
    {
        subscription?.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Enabled ? loop.RunContinuouslyAsync(RunAsync, stoppingToken) : Task.CompletedTask;

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await engine.LoadAsync(cancellationToken).ConfigureAwait(false);
        await engine.RunPendingResponsesAsync(cancellationToken).ConfigureAwait(false);
        await engine.CatchUpAsync(options.BatchSize, cancellationToken).ConfigureAwait(false);
        loop.Succeeded();
        LogResumed(logger, engine.Cursor);
        var reader = feed.Reader;
        var batch = new List<AuditRecord>(options.BatchSize);

        // The waits take no cancellation token (a wait with one allocates per call): the timer and the stopping token
        // wake the loop by writing a tick (null) into the feed instead.
        using var timer = time.CreateTimer(_ => feed.Writer.TryWrite(null), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        using var stopping = cancellationToken.Register(() => feed.Writer.TryWrite(null));
        var lastCatchUp = time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            // Unsaved records (see DetectionOptions.SaveInterval) shorten the wait to when they are due.
            var untilCatchUp = options.CatchUpInterval - time.GetElapsedTime(lastCatchUp);
            var timeout = engine.SaveDue is { } due && due < untilCatchUp ? due : untilCatchUp;
            if (timeout > TimeSpan.Zero && !reader.TryPeek(out _))
            {
                timer.Change(timeout, Timeout.InfiniteTimeSpan);
                await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false);
            }

            batch.Clear();
            while (batch.Count < options.BatchSize && reader.TryRead(out var record))
            {
                if (record is not null)
                {
                    batch.Add(record);
                }
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            if (batch.Count > 0)
            {
                await ProcessAsync(batch, cancellationToken).ConfigureAwait(false);
            }

            if (engine.SaveDue <= TimeSpan.Zero && !await engine.SaveAsync(cancellationToken).ConfigureAwait(false))
            {
                // Another node saved past these records first: its state is now the store's.
                await engine.LoadAsync(cancellationToken).ConfigureAwait(false);
                await engine.CatchUpAsync(options.BatchSize, cancellationToken).ConfigureAwait(false);
            }

            if (time.GetElapsedTime(lastCatchUp) >= options.CatchUpInterval)
            {
                await engine.CatchUpAsync(options.BatchSize, cancellationToken).ConfigureAwait(false);
                lastCatchUp = time.GetTimestamp();
            }
        }
    }

    /// <summary>Processes what the feed brought, in sequence order, reading from the store whatever does not follow on.</summary>
    private async Task ProcessAsync(List<AuditRecord> arrived, CancellationToken cancellationToken)
    {
        arrived.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        var run = new List<AuditRecord>(arrived.Count);
        foreach (var record in arrived)
        {
            var next = engine.Cursor + run.Count + 1;
            if (record.Sequence < next)
            {
                continue;
            }

            if (record.Sequence > next)
            {
                // A gap: what is missing is in the store (committed before this record was).
                await FlushAsync(run, cancellationToken).ConfigureAwait(false);
                await engine.CatchUpAsync(options.BatchSize, cancellationToken).ConfigureAwait(false);
                if (record.Sequence != engine.Cursor + 1)
                {
                    continue;
                }
            }

            run.Add(record);
        }

        await FlushAsync(run, cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushAsync(List<AuditRecord> run, CancellationToken cancellationToken)
    {
        if (run.Count == 0)
        {
            return;
        }

        if (!await engine.ProcessAsync(run, mayDefer: true, cancellationToken).ConfigureAwait(false))
        {
            await engine.LoadAsync(cancellationToken).ConfigureAwait(false);
            await engine.CatchUpAsync(options.BatchSize, cancellationToken).ConfigureAwait(false);
        }

        run.Clear();
    }

    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "Detection resumed after ledger record {Cursor}")]
    private static partial void LogResumed(ILogger logger, long cursor);
}
