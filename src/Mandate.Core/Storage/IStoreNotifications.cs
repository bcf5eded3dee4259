namespace Mandate.Core.Storage;

/// <summary>
/// Announcements that nodes sharing a store make as their transactions commit (PostgreSQL LISTEN/NOTIFY), so every
/// node's in-memory views follow at once. Single-node stores have none.
/// </summary>
internal interface IStoreNotifications
{
    /// <summary>
    /// Listens on <paramref name="channel"/> (one of <see cref="StoreChannels"/>) until cancelled, calling
    /// <paramref name="onPayload"/> for each announcement in order; throws when the connection breaks (callers
    /// reconnect and reconcile, since announcements made meanwhile are lost).
    /// </summary>
    Task ListenAsync(string channel, Func<string, Task> onPayload, Action onListening, CancellationToken cancellationToken);
}
