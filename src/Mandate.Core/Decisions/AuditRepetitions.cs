using Mandate.Core.Audit;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Decisions;

/// <summary>
/// Folds repeated identical audit events (the same deny of the same request from the same client, the same failed
/// authentication from the same network) into one counted record per window, so that a flood of refused requests cannot
/// turn into a flood of ledger writes. The first event of a key in a window is written as it happens; the repeats are
/// counted, and a <c>&lt;type&gt;.repeated</c> record carries the count (with the bounds of the stretch it covers) at
/// most <see cref="DecisionOptions.AuditRepeatFlushAfter"/> after the first repeat it counts, and when the window ends.
/// Nothing is lost: every repeat is counted once, and the counts still pending are written at shutdown. With
/// <see cref="DecisionOptions.AuditRepeatWindow"/> zero every event is written.
/// </summary>
internal sealed class AuditRepetitions : IDisposable
{
    /// <summary>Keys tracked at once; beyond it new keys are written unfolded (the rate limits bound those).</summary>
    internal const int MaxKeys = 10_000;

    private readonly DecisionAuditQueue queue;
    private readonly TimeProvider time;
    private readonly TimeSpan window;
    private readonly TimeSpan flushAfter;
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly ITimer? sweeper;

    public AuditRepetitions(DecisionAuditQueue queue, TimeProvider time, IOptions<DecisionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        this.queue = queue;
        this.time = time;
        window = options.Value.AuditRepeatWindow;
        flushAfter = options.Value.AuditRepeatFlushAfter;
        if (window > TimeSpan.Zero)
        {
            var period = flushAfter > TimeSpan.Zero && flushAfter < window ? flushAfter : window;
            sweeper = time.CreateTimer(_ => _ = SweepAsync(all: false), null, period, period);
        }
    }

    /// <summary>
    /// Records <paramref name="auditEvent"/> under <paramref name="key"/>: queued when it is the first of its key in the
    /// window, otherwise only counted. Waits for room in the queue like every deny. True when the event was queued
    /// (callers that also log use it to log once per window, as the ledger does).
    /// </summary>
    public ValueTask<bool> RecordAsync(string key, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(auditEvent);
        if (window <= TimeSpan.Zero)
        {
            return Written(queue.EnqueueAsync(auditEvent, cancellationToken));
        }

        var now = time.GetUtcNow();
        AuditEvent? summary = null;
        lock (gate)
        {
            if (entries.TryGetValue(key, out var entry))
            {
                if (now >= entry.Start && now - entry.Start < window)
                {
                    if (entry.Repeats++ == 0)
                    {
                        entry.PendingSince = now;
                    }

                    return ValueTask.FromResult(false);
                }

                summary = Summary(entry, now);
                entries[key] = new Entry(now, auditEvent);
            }
            else if (entries.Count < MaxKeys)
            {
                entries[key] = new Entry(now, auditEvent);
            }
        }

        return Written(summary is null ? queue.EnqueueAsync(auditEvent, cancellationToken) : EnqueueBothAsync(summary, auditEvent, cancellationToken));
    }

    /// <summary>Writes the counts of every window still open (at shutdown, before the audit queue closes).</summary>
    public Task FlushAsync() => SweepAsync(all: true);

    public void Dispose() => sweeper?.Dispose();

    private static ValueTask<bool> Written(ValueTask pending) =>
        pending.IsCompletedSuccessfully ? ValueTask.FromResult(true) : AwaitWrittenAsync(pending);

    // Pooled: with AuditDurability.Committed every first deny of its kind waits here for its batch's commit.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> AwaitWrittenAsync(ValueTask pending)
    {
        await pending.ConfigureAwait(false);
        return true;
    }

    private async ValueTask EnqueueBothAsync(AuditEvent summary, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        await queue.EnqueueAsync(summary, cancellationToken).ConfigureAwait(false);
        await queue.EnqueueAsync(auditEvent, cancellationToken).ConfigureAwait(false);
    }

    private async Task SweepAsync(bool all)
    {
        var now = time.GetUtcNow();
        List<AuditEvent>? summaries = null;
        lock (gate)
        {
            List<string>? expired = null;
            foreach (var (key, entry) in entries)
            {
                if (all || now < entry.Start || now - entry.Start >= window)
                {
                    (expired ??= []).Add(key);
                    if (Summary(entry, now) is { } summary)
                    {
                        (summaries ??= []).Add(summary);
                    }
                }
                else if (flushAfter > TimeSpan.Zero && entry.Repeats > 0 && now - entry.PendingSince >= flushAfter
                    && Summary(entry, now) is { } partial)
                {
                    // The window goes on (later repeats are still only counted); what it counted so far is written.
                    (summaries ??= []).Add(partial);
                    entry.Repeats = 0;
                }
            }

            foreach (var key in expired ?? [])
            {
                entries.Remove(key);
            }
        }

        foreach (var summary in summaries ?? [])
        {
            try
            {
                await queue.EnqueueWithoutDeadlineAsync(summary, CancellationToken.None).ConfigureAwait(false);
            }
            catch (System.Threading.Channels.ChannelClosedException)
            {
                // Shutdown closed the queue after the final flush: nothing more can be written.
                return;
            }
        }
    }

    /// <summary>The counted record of a window's repeats, or null when there were none.</summary>
    private static AuditEvent? Summary(Entry entry, DateTimeOffset now)
    {
        if (entry.Repeats == 0)
        {
            return null;
        }

        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in entry.First.Details ?? new Dictionary<string, string>())
        {
            details["first_" + name] = value;
        }

        details["repeats"] = entry.Repeats.ToString(System.Globalization.CultureInfo.InvariantCulture);
        details["window_start"] = AuditCanonicalForm.FormatTime(entry.PendingSince);
        details["window_end"] = AuditCanonicalForm.FormatTime(now);
        return entry.First with { Type = entry.First.Type + ".repeated", Details = details };
    }

    private sealed class Entry(DateTimeOffset start, AuditEvent first)
    {
        public DateTimeOffset Start { get; } = start;

        public AuditEvent First { get; } = first;

        public long Repeats { get; set; }

        /// <summary>When the first repeat not yet written was counted.</summary>
        public DateTimeOffset PendingSince { get; set; } = start;
    }
}
