using Mandate.Core.Hosting;
using Mandate.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mandate.Core.Identity.Keys;

/// <summary>
/// Keeps this node's <see cref="KeyRing"/> on the store's keys when nodes share a store (PostgreSQL): a rotation stored
/// by any node (a successor key, the retirement schedule of the key it replaces) is announced at commit and the ring is
/// reloaded at once, so every node verifies what the new key signs and stops signing with the retiring key when the
/// rotation says, not at its next periodic key check. After a broken connection the ring is reloaded before the node
/// counts as fresh again. A single-node store has nothing to follow.
/// </summary>
internal sealed class KeyRingSync(
    KeyRing keyRing,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<KeyRingSync> logger,
    StoreFreshness freshness,
    IStoreNotifications? notifications = null) : BackgroundService
{
    public const string LoopName = "key-listener";

    /// <summary>Completes once the listener is subscribed (immediately where there is none).</summary>
    public TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        return StoreChannelListener.RunAsync(
            new BackgroundLoop(LoopName, health, time, logger),
            notifications,
            freshness,
            StoreChannels.Keys,
            (_, token) => keyRing.ReloadAsync(token),
            keyRing.ReloadAsync,
            Listening,
            stoppingToken);
    }
}
