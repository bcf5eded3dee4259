namespace Mandate.Core.Storage;

/// <summary>
/// The <see cref="IStoreNotifications"/> of a single-node store (SQLite): nobody else commits, so nothing is ever
/// announced. A listener is subscribed at once and hears nothing until it is cancelled.
/// </summary>
internal sealed class NoStoreNotifications : IStoreNotifications
{
    /// <inheritdoc/>
    public async Task ListenAsync(string channel, Func<string, Task> onPayload, Action onListening, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onListening);
        onListening();
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
    }
}
