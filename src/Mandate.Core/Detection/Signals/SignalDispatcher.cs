using Mandate.Core.Hosting;
using Mandate.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Detection.Signals;

/// <summary>
/// Delivers the outbox: every pending message that is due is claimed (a lease, so two nodes do not send it at the same
/// time), handed to its channel's <see cref="ISignalSender"/>, and its outcome recorded: delivered; or retried after
/// <see cref="SignalOptions.InitialBackoff"/> doubling per attempt (with jitter, capped at
/// <see cref="SignalOptions.MaxBackoff"/>); or, after <see cref="SignalOptions.MaxAttempts"/> attempts or a permanent
/// refusal, dead (the dead-letter list, from which an operator redelivers). Delivery is at least once: a receiver
/// drops duplicates by the message id (<c>webhook-id</c>, the SET's <c>jti</c>). Runs as the background loop
/// <c>signal-delivery</c>.
/// </summary>
internal sealed partial class SignalDispatcher : BackgroundService
{
    public const string LoopName = "signal-delivery";
    private const int PageSize = 50;

    // Between looks at the store when nothing is due and nothing woke the dispatcher (messages other nodes queued).
    private static readonly TimeSpan IdleLook = TimeSpan.FromSeconds(5);

    private readonly IMandateStore store;
    private readonly IReadOnlyDictionary<string, ISignalSender> senders;
    private readonly SignalWake wake;
    private readonly SignalOptions options;
    private readonly BackgroundLoop loop;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Telemetry.MandateMetrics? metrics;

    public SignalDispatcher(IMandateStore store, IEnumerable<ISignalSender> senders, SignalWake wake, IOptions<SignalOptions> options, BackgroundHealth health, TimeProvider time, ILogger<SignalDispatcher> logger, Telemetry.MandateMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.store = store;
        this.senders = senders.ToDictionary(s => s.Channel, StringComparer.Ordinal);
        this.wake = wake;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        this.metrics = metrics;
        loop = new BackgroundLoop(LoopName, health, time, logger);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Enabled ? loop.RunContinuouslyAsync(RunAsync, stoppingToken) : Task.CompletedTask;

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        loop.Succeeded();
        while (!cancellationToken.IsCancellationRequested)
        {
            var woken = wake.Next;
            var more = await DeliverDueAsync(cancellationToken).ConfigureAwait(false);
            if (more)
            {
                continue;
            }

            DateTimeOffset? next;
            var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                next = await session.Get<ISignalRepository>().NextDueAsync([.. senders.Keys], cancellationToken).ConfigureAwait(false);
            }

            var pause = IdleLook;
            if (next is { } due)
            {
                var until = due - time.GetUtcNow();
                pause = until < TimeSpan.Zero ? TimeSpan.Zero : until < IdleLook ? until : IdleLook;
            }

            if (pause > TimeSpan.Zero)
            {
                await Task.WhenAny(woken, Task.Delay(pause, time, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>Delivers one page of due messages; true when the page was full (more may be due).</summary>
    public async Task<bool> DeliverDueAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<SignalDelivery> due;
        var now = time.GetUtcNow();
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            due = await session.Get<ISignalRepository>().ListDueAsync([.. senders.Keys], now, PageSize, cancellationToken).ConfigureAwait(false);
        }

        var sent = 0;
        foreach (var delivery in due)
        {
            if (await AttemptAsync(delivery, cancellationToken).ConfigureAwait(false))
            {
                sent++;
            }
        }

        return due.Count == PageSize && sent > 0;
    }

    private async Task<bool> AttemptAsync(SignalDelivery delivery, CancellationToken cancellationToken)
    {
        var lease = time.GetUtcNow() + (options.Timeout * 2);
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            if (!await session.Get<ISignalRepository>().ClaimAsync(delivery.Id, delivery.NextAttemptAt, lease, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        SignalAttempt attempt;
        try
        {
            attempt = await senders[delivery.Channel].SendAsync(delivery, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A sender failing in an unforeseen way is a failed attempt, not a stopped dispatcher.
            attempt = SignalAttempt.Retry(null, "delivery failed: " + ex.GetType().Name);
        }

        var now = time.GetUtcNow();
        SignalDelivery outcome;
        if (attempt.Skip)
        {
            // Not pushed now (a poll stream, a paused stream): look again later without spending an attempt.
            outcome = delivery with { NextAttemptAt = now + options.MaxBackoff, LastError = attempt.Error };
        }
        else if (attempt.Delivered)
        {
            outcome = delivery with { State = SignalDeliveryStates.Delivered, Attempts = delivery.Attempts + 1, LastStatus = attempt.Status, LastError = null, DoneAt = now };
        }
        else
        {
            var attempts = delivery.Attempts + 1;
            var dead = attempt.Permanent || attempts >= options.MaxAttempts;
            outcome = delivery with
            {
                State = dead ? SignalDeliveryStates.Dead : SignalDeliveryStates.Pending,
                Attempts = attempts,
                NextAttemptAt = dead ? now : now + Backoff(attempts),
                LastStatus = attempt.Status,
                LastError = attempt.Error,
                DoneAt = dead ? now : null,
            };
            if (dead)
            {
                LogDead(logger, delivery.Channel, delivery.Id, delivery.Target, attempts, attempt.Error ?? "refused");
            }
        }

        if (!attempt.Skip)
        {
            metrics?.SignalAttempted(delivery.Channel, outcome.State switch
            {
                SignalDeliveryStates.Delivered => "delivered",
                SignalDeliveryStates.Dead => "dead",
                _ => "retry",
            });
        }

        // Recorded even while the host stops: a message the receiver took must not be sent again after a restart.
        var record = await store.BeginAsync(StoreIntent.Write, CancellationToken.None).ConfigureAwait(false);
        await using (record.ConfigureAwait(false))
        {
            await record.Get<ISignalRepository>().RecordAttemptAsync(outcome, CancellationToken.None).ConfigureAwait(false);
            await record.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return !attempt.Skip;
    }

    private TimeSpan Backoff(int attempts) => SignalBackoff.After(attempts, options.InitialBackoff, options.MaxBackoff, Random.Shared.NextDouble());

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Gave up delivering {Channel} message {Id} to {Target} after {Attempts} attempts: {Error}; it is in the dead-letter list")]
    private static partial void LogDead(ILogger logger, string channel, string id, string target, int attempts, string error);
}
