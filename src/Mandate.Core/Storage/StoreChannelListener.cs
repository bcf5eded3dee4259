using Mandate.Core.Hosting;

namespace Mandate.Core.Storage;

/// <summary>
/// A node's listener on one store channel for as long as it runs: every announcement goes to a handler; a broken
/// connection is retried by the loop, and after it the node catches up once the new subscription holds (announcements
/// made while it was down are lost; those made during the catch-up wait for it). The channel counts as fresh
/// (<see cref="StoreFreshness"/>) from then on, for as long as the connection answers its heartbeats.
/// </summary>
internal static class StoreChannelListener
{
    /// <summary>
    /// Runs until cancelled; <paramref name="listening"/> completes once the first subscription holds. With
    /// <paramref name="catchUpFirst"/> the first subscription catches up too (a view nothing else loads at start). A store
    /// that announces nothing (<paramref name="notifications"/> null or <see cref="NoStoreNotifications"/>: SQLite, one
    /// node) has nothing to listen to: <paramref name="listening"/> completes at once and nothing runs.
    /// </summary>
    public static Task RunAsync(
        BackgroundLoop loop,
        IStoreNotifications? notifications,
        StoreFreshness freshness,
        string channel,
        Func<string, CancellationToken, Task> onPayload,
        Func<CancellationToken, Task> catchUpAfterReconnect,
        TaskCompletionSource listening,
        CancellationToken cancellationToken,
        bool catchUpFirst = false)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(freshness);
        ArgumentNullException.ThrowIfNull(listening);
        if (notifications is null or NoStoreNotifications)
        {
            listening.TrySetResult();
            return Task.CompletedTask;
        }

        freshness.Watch(channel);
        var reconnecting = catchUpFirst;
        return loop.RunContinuouslyAsync(
            async token =>
            {
                await notifications.ListenAsync(
                    channel,
                    payload => onPayload(payload, token),
                    async () =>
                    {
                        if (reconnecting)
                        {
                            await catchUpAfterReconnect(token).ConfigureAwait(false);
                        }

                        reconnecting = true;
                        freshness.Confirm(channel);
                        listening.TrySetResult();
                        loop.Succeeded();
                    },
                    () => freshness.Confirm(channel),
                    freshness.Heartbeat,
                    token).ConfigureAwait(false);
            },
            cancellationToken,
            onFailure: () => reconnecting = true,
            // Retried often enough that a node recovers within about a heartbeat of the store's return.
            maxBackoff: freshness.Heartbeat);
    }
}
