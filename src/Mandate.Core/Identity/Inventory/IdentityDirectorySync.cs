using Mandate.Core.Hosting;
using Mandate.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Mandate.Core.Identity.Inventory;

/// <summary>
/// Keeps this node's <see cref="IdentityDirectory"/> in step with changes committed on other nodes: each announced
/// SPIFFE ID is re-read from the store at once, so a suspension or revocation stops that identity's credentials on
/// every node within moments rather than at the next periodic reload. After the listener's connection breaks, the whole
/// directory is reloaded once listening again (with backoff while the store is down), since announcements made
/// meanwhile were lost.
/// </summary>
internal sealed class IdentityDirectorySync(
    IdentityDirectory directory,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<IdentityDirectorySync> logger,
    StoreFreshness freshness,
    IStoreNotifications? notifications = null)
{
    public const string LoopName = "identity-listener";

    /// <summary>Completes once the listener is subscribed (immediately where there is none).</summary>
    public TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        return StoreChannelListener.RunAsync(
            new BackgroundLoop(LoopName, health, time, logger),
            notifications,
            freshness,
            StoreChannels.Identities,
            (spiffeId, _) => directory.RefreshAsync(spiffeId, CancellationToken.None),
            directory.ReloadAsync,
            Listening,
            cancellationToken);
    }
}
