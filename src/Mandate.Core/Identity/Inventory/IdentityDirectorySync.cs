using Mandate.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Mandate.Core.Identity.Inventory;

/// <summary>
/// Keeps this node's <see cref="IdentityDirectory"/> in step with changes committed on other nodes: each announced
/// SPIFFE ID is re-read from the store at once, so a suspension or revocation stops that identity's SVIDs on every node
/// within moments rather than at the next periodic reload. After the listener's connection breaks, the whole directory
/// is reloaded on reconnect, since announcements made meanwhile were lost.
/// </summary>
internal sealed partial class IdentityDirectorySync(
    IdentityDirectory directory,
    TimeProvider time,
    ILogger<IdentityDirectorySync> logger,
    IStoreNotifications? notifications = null)
{
    /// <summary>Completes once the listener is subscribed (immediately where there is none).</summary>
    public TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (notifications is null)
        {
            Listening.TrySetResult();
            return;
        }

        var reconnecting = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await notifications.ListenAsync(
                    StoreChannels.Identities,
                    spiffeId => directory.RefreshAsync(spiffeId, CancellationToken.None),
                    () =>
                    {
                        Listening.TrySetResult();
                        if (reconnecting)
                        {
                            _ = ReloadAfterReconnectAsync(cancellationToken);
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogListenFailed(logger, ex.Message);
                reconnecting = true;
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ReloadAfterReconnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            await directory.ReloadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogListenFailed(logger, ex.Message);
        }
    }

    [LoggerMessage(EventId = 5090, Level = LogLevel.Warning, Message = "Identity change listener stopped: {Problem}; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, string problem);
}
