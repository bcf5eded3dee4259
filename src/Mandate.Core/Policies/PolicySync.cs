using System.Globalization;
using Mandate.Core.Hosting;
using Mandate.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Policies;

/// <summary>
/// Keeps this node's <see cref="ActivePolicySet"/> on the store's latest activation when nodes share a store
/// (PostgreSQL): an activation or rollback committed on any node is announced at commit and loaded here at once; after
/// the listener's connection breaks the node compares versions before listening again (announcements made meanwhile
/// were lost); and a periodic comparison (<see cref="PolicySyncOptions.CatchUpInterval"/>) catches anything else. Every
/// path loads the newest activation by the store's sequence, so a late announcement never takes a node backwards.
/// A single-node store (SQLite) has nothing to follow and nothing runs.
/// </summary>
internal sealed partial class PolicySync(
    PolicyService policies,
    IOptions<PolicySyncOptions> options,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<PolicySync> logger,
    StoreFreshness freshness,
    IStoreNotifications? notifications = null)
{
    public const string ListenLoopName = "policy-listener";
    public const string CatchUpLoopName = "policy-catch-up";

    // Catch-ups run one at a time (listener, reconnect and periodic check all reach them), so a set is compiled once.
    private readonly SemaphoreSlim catchUpGate = new(1, 1);

    /// <summary>Completes once the listener is subscribed (immediately where there is none).</summary>
    public TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        if (notifications is null or NoStoreNotifications)
        {
            Listening.TrySetResult();
            return Task.CompletedTask;
        }

        return Task.WhenAll(ListenLoopAsync(notifications, cancellationToken), CatchUpLoopAsync(cancellationToken));
    }

    /// <summary>Loads the store's latest activation when it is newer than the one in force.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        await catchUpGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var before = policies.Active.ActivationSequence;
            if (await policies.CatchUpAsync(cancellationToken).ConfigureAwait(false))
            {
                LogCaughtUp(logger, policies.Active.Current.Version, policies.Active.ActivationSequence, before);
            }
        }
        finally
        {
            catchUpGate.Release();
        }
    }

    private Task CatchUpLoopAsync(CancellationToken cancellationToken) =>
        new BackgroundLoop(CatchUpLoopName, health, time, logger).RunPeriodicAsync(options.Value.CatchUpInterval, CatchUpAsync, cancellationToken);

    // Activations announced while the connection was down were lost: versions are compared before listening again.
    private Task ListenLoopAsync(IStoreNotifications listener, CancellationToken cancellationToken) =>
        StoreChannelListener.RunAsync(
            new BackgroundLoop(ListenLoopName, health, time, logger),
            listener,
            freshness,
            StoreChannels.Policies,
            OnPayloadAsync,
            CatchUpAsync,
            Listening,
            cancellationToken);

    private Task OnPayloadAsync(string payload, CancellationToken cancellationToken)
    {
        // "<sequence> <version>": an announcement of an activation this node already has (its own, or one it caught up
        // to) costs no read. Anything unreadable just triggers the comparison.
        var space = payload.IndexOf(' ', StringComparison.Ordinal);
        if (long.TryParse(space < 0 ? payload : payload[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            && sequence <= policies.Active.ActivationSequence)
        {
            return Task.CompletedTask;
        }

        return CatchUpAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Policy set {Version} (activation {Sequence}) loaded from the store; activation {Previous} was in force here")]
    private static partial void LogCaughtUp(ILogger logger, string version, long sequence, long previous);
}
