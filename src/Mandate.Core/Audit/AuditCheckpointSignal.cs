namespace Mandate.Core.Audit;

/// <summary>Counts events appended since the last checkpoint and wakes the checkpoint writer when enough piled up.</summary>
internal sealed class AuditCheckpointSignal(Microsoft.Extensions.Options.IOptions<AuditOptions> options)
{
    private readonly SemaphoreSlim wake = new(0, 1);
    private long pending;

    public long Pending => Interlocked.Read(ref pending);

    public void Appended(int count)
    {
        if (Interlocked.Add(ref pending, count) >= options.Value.CheckpointEvery && wake.CurrentCount == 0)
        {
            try
            {
                wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Someone else woke it first.
            }
        }
    }

    /// <summary>Takes the events a checkpoint covered off the count, never below zero (events recorded before this
    /// process started were never counted but are covered).</summary>
    public void Reset(long covered)
    {
        // Compare-and-swap: a plain read then write would drop any Appended that lands in between.
        var current = Interlocked.Read(ref pending);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref pending, Math.Max(0, current - covered), current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Waits until enough events are pending or the timeout passes; true when woken by events.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            await wake.WaitAsync(linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
