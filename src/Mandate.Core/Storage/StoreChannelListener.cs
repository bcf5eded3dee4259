using Mandate.Core.Hosting;

namespace Mandate.Core.Storage;

/// <summary>
/// A node's listener on one store channel for as long as it runs: every announcement goes to a handler; a broken
/// connection is retried by the loop, and after it the node catches up before listening again, since announcements made
/// while it was down are lost.
/// </summary>
internal static class StoreChannelListener
{
    /// <summary>Runs until cancelled; <paramref name="listening"/> completes once the first subscription holds.</summary>
    public static Task RunAsync(
        BackgroundLoop loop,
        IStoreNotifications notifications,
        string channel,
        Func<string, CancellationToken, Task> onPayload,
        Func<CancellationToken, Task> catchUpAfterReconnect,
        TaskCompletionSource listening,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(notifications);
        var reconnecting = false;
        return loop.RunContinuouslyAsync(
            async token =>
            {
                if (reconnecting)
                {
                    await catchUpAfterReconnect(token).ConfigureAwait(false);
                }

                reconnecting = true;
                await notifications.ListenAsync(
                    channel,
                    payload => onPayload(payload, token),
                    () =>
                    {
                        listening.TrySetResult();
                        loop.Succeeded();
                    },
                    token).ConfigureAwait(false);
            },
            cancellationToken);
    }
}
