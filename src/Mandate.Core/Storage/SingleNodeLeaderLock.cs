namespace Mandate.Core.Storage;

/// <summary>The <see cref="IStoreLeaderLock"/> of a single-node store (SQLite): its only node is the leader from the start.</summary>
internal sealed class SingleNodeLeaderLock : IStoreLeaderLock
{
    public async Task HoldAsync(Action onAcquired, TimeSpan checkInterval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onAcquired);
        onAcquired();
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
    }
}
