using Mandate.Core.Hosting;
using Mandate.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Mandate.Core.Identity.Inventory;

/// <summary>
/// Keeps this node's <see cref="IdentityDirectory"/> in step with changes committed on other nodes: each announced
/// SPIFFE ID is re-read from the store at once, so a suspension or revocation stops that identity's SVIDs on every node
/// within moments rather than at the next periodic reload. After the listener's connection breaks, the whole directory
/// is reloaded before listening again (with backoff while the store is down), since announcements made meanwhile were lost.
/// </summary>
internal sealed class IdentityDirectorySync(
    IdentityDirectory directory,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<IdentityDirectorySync> logger,
    IStoreNotifications? notifications = null)
{
    public const string LoopName = "identity-listener";

    /// <summary>Completes once the listener is subscribed (immediately where there is none).</summary>
    public TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        var listener = notifications;
        if (listener is null)
        {
            Listening.TrySetResult();
            return Task.CompletedTask;
        }

        var reconnecting = false;
        var loop = new BackgroundLoop(LoopName, health, time, logger);
        return loop.RunContinuouslyAsync(
            async token =>
            {
                await listener.ListenAsync(
                    StoreChannels.Identities,
                    spiffeId => directory.RefreshAsync(spiffeId, CancellationToken.None),
                    () =>
                    {
                        Listening.TrySetResult();
                        loop.Succeeded();
                        if (reconnecting)
                        {
                            // Announcements made while the connection was down were lost: reload the whole directory.
                            _ = ReloadAfterReconnectAsync(loop, token);
                        }
                    },
                    token).ConfigureAwait(false);
            },
            cancellationToken,
            onFailure: () => reconnecting = true);
    }

    private async Task ReloadAfterReconnectAsync(BackgroundLoop loop, CancellationToken cancellationToken)
    {
        try
        {
            await directory.ReloadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
#pragma warning disable CA1031 // Recorded and shown in /readyz; the periodic identity maintenance reloads again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            loop.Failed(ex);
        }
    }
}
