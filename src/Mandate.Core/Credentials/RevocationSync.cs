using Mandate.Core.Hosting;
using Mandate.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Credentials;

/// <summary>
/// Keeps <see cref="IRevocationSet"/> equal to the store: a full load at start, notifications from other nodes as they
/// commit (PostgreSQL), an incremental poll as a safety net, and a periodic full rebuild that drops expired entries.
/// </summary>
internal sealed partial class RevocationSync(
    IMandateStore store,
    IRevocationSet revocations,
    IOptions<RevocationSyncOptions> options,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<RevocationSync> logger,
    StoreFreshness freshness,
    IStoreNotifications? notifications = null)
{
    public const string PollLoopName = "revocation-sync";
    public const string ListenLoopName = "revocation-listener";

    // Full reloads and polls run one at a time (the poll loop, the listener's "*" payload and its reconnect all reach
    // them), so lastPoll, a 16-byte struct, is never torn and only moves forward.
    private readonly SemaphoreSlim syncGate = new(1, 1);
    private DateTimeOffset lastPoll = DateTimeOffset.UnixEpoch;

    /// <summary>Completes once the notification listener is subscribed (immediately where there is none).</summary>
    public TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task FullReloadAsync(CancellationToken cancellationToken)
    {
        await syncGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            var jtis = await session.Get<ICredentialRepository>().ListRevokedJtisAsync(DateTimeOffset.UnixEpoch, now, cancellationToken).ConfigureAwait(false);
            revocations.Replace(jtis);
            Advance(now);
            LogReloaded(logger, jtis.Count);
        }
        finally
        {
            syncGate.Release();
        }
    }

    public async Task PollAsync(CancellationToken cancellationToken)
    {
        await syncGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var since = lastPoll - options.Value.PollOverlap;
            var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            var jtis = await session.Get<ICredentialRepository>().ListRevokedJtisAsync(since, now, cancellationToken).ConfigureAwait(false);
            revocations.Add(jtis);
            Advance(now);
        }
        finally
        {
            syncGate.Release();
        }
    }

    private void Advance(DateTimeOffset readAt)
    {
        if (readAt > lastPoll)
        {
            lastPoll = readAt;
        }
    }

    /// <summary>Runs until cancelled: the listener (if any) and the poll/reload loop side by side.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var listen = notifications is null ? NoListener() : ListenLoopAsync(cancellationToken);
        var poll = PollLoopAsync(cancellationToken);
        await Task.WhenAll(listen, poll).ConfigureAwait(false);
    }

    private Task NoListener()
    {
        Listening.TrySetResult();
        return Task.CompletedTask;
    }

    private Task PollLoopAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var lastFull = time.GetUtcNow();
        return new BackgroundLoop(PollLoopName, health, time, logger).RunPeriodicAsync(
            settings.ReconcileInterval,
            async token =>
            {
                if (time.GetUtcNow() - lastFull >= settings.FullReloadInterval)
                {
                    await FullReloadAsync(token).ConfigureAwait(false);
                    lastFull = time.GetUtcNow();
                }
                else
                {
                    await PollAsync(token).ConfigureAwait(false);
                }
            },
            cancellationToken);
    }

    // Whatever was announced while the connection was down is caught by a poll before listening again.
    private Task ListenLoopAsync(CancellationToken cancellationToken) =>
        StoreChannelListener.RunAsync(
            new BackgroundLoop(ListenLoopName, health, time, logger),
            notifications!,
            freshness,
            StoreChannels.Revocations,
            (payload, _) => OnPayloadAsync(payload),
            PollAsync,
            Listening,
            cancellationToken);

    private async Task OnPayloadAsync(string payload)
    {
        if (payload == "*")
        {
            await PollAsync(CancellationToken.None).ConfigureAwait(false);
            return;
        }

        revocations.Add(payload.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Revocation set loaded: {Count} revoked credentials not yet expired")]
    private static partial void LogReloaded(ILogger logger, int count);
}
