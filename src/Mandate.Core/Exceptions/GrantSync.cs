using Mandate.Core.Hosting;
using Mandate.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mandate.Core.Exceptions;

/// <summary>
/// Loads the active grants at start and, when nodes share a store (PostgreSQL), reloads them whenever a grant is
/// approved, activated, revoked or expired on any node (announced at commit), and again after a broken connection.
/// </summary>
internal sealed class GrantSync(
    ExceptionService exceptions,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<GrantSync> logger,
    StoreFreshness freshness,
    IStoreNotifications? notifications = null) : BackgroundService
{
    public const string LoopName = "grant-listener";

    /// <summary>Completes once the listener is subscribed (immediately where there is none).</summary>
    public TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loop = new BackgroundLoop(LoopName, health, time, logger);
        if (notifications is null or NoStoreNotifications)
        {
            // One node: every change is made here and reloaded by the service that made it; only the start needs a load.
            await loop.RunUntilSuccessAsync(exceptions.ReloadAsync, stoppingToken).ConfigureAwait(false);
            Listening.TrySetResult();
            return;
        }

        await StoreChannelListener.RunAsync(
            loop,
            notifications,
            freshness,
            StoreChannels.Grants,
            (_, token) => exceptions.ReloadAsync(token),
            exceptions.ReloadAsync,
            Listening,
            stoppingToken,
            catchUpFirst: true).ConfigureAwait(false);
    }
}
