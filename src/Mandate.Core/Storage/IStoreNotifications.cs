namespace Mandate.Core.Storage;

/// <summary>
/// Announcements that nodes sharing a store make as their transactions commit (PostgreSQL LISTEN/NOTIFY), so every
/// node's in-memory views follow at once. Single-node stores have none.
/// </summary>
internal interface IStoreNotifications
{
    /// <summary>Whether other nodes may commit to the store (so a node's views can fall behind it).</summary>
    bool Shared { get; }

    /// <summary>
    /// Listens on <paramref name="channel"/> (one of <see cref="StoreChannels"/>) until cancelled, calling
    /// <paramref name="onPayload"/> for each announcement in order. <paramref name="onListening"/> runs once the
    /// subscription holds (announcements arriving meanwhile wait for it), <paramref name="onAlive"/> every time the
    /// connection is confirmed alive (at most <paramref name="heartbeat"/> apart while it is). Throws when the connection
    /// breaks or does not answer a heartbeat (callers reconnect and reconcile, since announcements made meanwhile are lost).
    /// </summary>
    Task ListenAsync(string channel, Func<string, Task> onPayload, Func<Task> onListening, Action onAlive, TimeSpan heartbeat, CancellationToken cancellationToken);
}
