using System.Threading.Channels;
using Mandate.Core.Audit;

namespace Mandate.Core.Decisions;

/// <summary>
/// Decouples deciding from writing the audit log: decisions enqueue their record and a single writer appends them in
/// batches (one transaction per batch). A deny waits for room when the queue is full, so none is ever dropped; a sampled
/// allow is dropped (and counted) instead of slowing the hot path.
/// </summary>
internal sealed class DecisionAuditQueue
{
    private readonly Channel<object> channel;
    private long droppedAllows;

    public DecisionAuditQueue(Microsoft.Extensions.Options.IOptions<DecisionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        channel = Channel.CreateBounded<object>(new BoundedChannelOptions(Math.Max(16, options.Value.AuditQueueCapacity))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Sampled allows that were not written because the queue was full.</summary>
    public long DroppedAllows => Interlocked.Read(ref droppedAllows);

    internal ChannelReader<object> Reader => channel.Reader;

    /// <summary>Enqueues a record that must be written (a deny), waiting for room if needed.</summary>
    public ValueTask EnqueueAsync(AuditEvent auditEvent, CancellationToken cancellationToken) =>
        channel.Writer.WriteAsync(auditEvent, cancellationToken);

    /// <summary>Enqueues a sampled record if there is room.</summary>
    public void TryEnqueue(AuditEvent auditEvent)
    {
        if (!channel.Writer.TryWrite(auditEvent))
        {
            Interlocked.Increment(ref droppedAllows);
        }
    }

    /// <summary>Completes once every record enqueued before the call is committed to the store.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var marker = new FlushMarker();
        await channel.Writer.WriteAsync(marker, cancellationToken).ConfigureAwait(false);
        await marker.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    internal void Complete() => channel.Writer.TryComplete();

    internal sealed class FlushMarker
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
