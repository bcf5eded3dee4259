namespace Mandate.Core.Storage;

/// <summary>
/// The one lock per deployment that makes a node the leader, the only node running the work that must happen once per
/// cluster (<see cref="Hosting.ClusterLeadership"/>). PostgreSQL: a session-level advisory lock on a dedicated
/// connection, released by the database when that connection ends, however the node dies. A single-node store's only
/// node always holds it.
/// </summary>
internal interface IStoreLeaderLock
{
    /// <summary>
    /// Waits until the lock is free (trying every <paramref name="checkInterval"/>), takes it, calls
    /// <paramref name="onAcquired"/>, and holds it, confirming the connection every <paramref name="checkInterval"/>,
    /// until cancelled (the lock is released) or the connection fails (throws; the database has released it or will as it
    /// notices the session is gone).
    /// </summary>
    Task HoldAsync(Action onAcquired, TimeSpan checkInterval, CancellationToken cancellationToken);
}
