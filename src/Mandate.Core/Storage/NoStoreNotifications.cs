namespace Mandate.Core.Storage;

/// <summary>
/// The <see cref="IStoreNotifications"/> of a single-node store (SQLite): nobody else commits, so nothing is ever
/// announced. A listener is subscribed at once and hears nothing until it is cancelled.
/// </summary>
internal sealed class NoStoreNotifications : IStoreNotifications
{
    public bool Shared => false;

    /// <inheritdoc/>
    public async Task ListenAsync(string channel, Func<string, Task> onPayload, Func<Task> onListening, Action onAlive, TimeSpan heartbeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onListening);
        await onListening().ConfigureAwait(false);
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
    }
}
