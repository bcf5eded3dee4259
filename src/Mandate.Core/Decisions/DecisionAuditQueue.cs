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
/// </summary>
internal sealed class DecisionAuditQueue
{
    private readonly Channel<object> channel;
    private readonly TimeSpan waitTimeout;
    private readonly AuditOverflow overflow;
    private readonly MandateMetrics? metrics;

    public DecisionAuditQueue(IOptions<DecisionOptions> options, TimeProvider? time = null, MandateMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        this.metrics = metrics;
        waitTimeout = settings.AuditQueueWaitTimeout;
        overflow = settings.AuditOverflow;
        Losses = new AuditLossCounter(time ?? TimeProvider.System, settings.AuditAllowSampleRate, metrics);
        channel = Channel.CreateBounded<object>(new BoundedChannelOptions(Math.Max(16, settings.AuditQueueCapacity))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Allows answered without their record (sampled out, or dropped by <see cref="AuditOverflow.DropAllows"/>).</summary>
    public AuditLossCounter Losses { get; }

    internal ChannelReader<object> Reader => channel.Reader;

    /// <summary>
    /// Enqueues a record that must be written, waiting for room if needed, at most
    /// <see cref="DecisionOptions.AuditQueueWaitTimeout"/>; then throws <see cref="AuditUnavailableException"/>.
    /// </summary>
    public ValueTask EnqueueAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        // The common case costs one TryWrite and no allocation.
        return channel.Writer.TryWrite(auditEvent) ? ValueTask.CompletedTask : WaitForRoomAsync(auditEvent, cancellationToken);
    }

    /// <summary>
    /// Enqueues an allow's record. Under <see cref="AuditOverflow.DropAllows"/> a full queue drops it (counted);
    /// otherwise it waits like every record (<see cref="EnqueueAsync"/>).
    /// </summary>
    public ValueTask EnqueueAllowAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        if (channel.Writer.TryWrite(auditEvent))
        {
            return ValueTask.CompletedTask;
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
    /// record answers no caller, and losing it would lose the count.
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

    private async ValueTask WaitForRoomAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        metrics?.AuditQueueWaited();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(waitTimeout);
        try
        {
            await channel.Writer.WriteAsync(auditEvent, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            metrics?.AuditRefused();
            throw new AuditUnavailableException();
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
