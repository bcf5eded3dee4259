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
    TimeProvider time,
    ILogger<RevocationSync> logger,
    IStoreNotifications? notifications = null)
{
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

    private async Task PollLoopAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.ReconcileInterval, time);
        var lastFull = time.GetUtcNow();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    if (time.GetUtcNow() - lastFull >= settings.FullReloadInterval)
                    {
                        await FullReloadAsync(cancellationToken).ConfigureAwait(false);
                        lastFull = time.GetUtcNow();
                    }
                    else
                    {
                        await PollAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (StoreException ex)
                {
                    LogSyncFailed(logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task ListenLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await notifications!.ListenAsync(StoreChannels.Revocations, OnPayloadAsync, () => Listening.TrySetResult(), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogListenFailed(logger, ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), time, cancellationToken).ConfigureAwait(false);

                    // Whatever was announced while the connection was down is caught by a poll right after reconnecting.
                    await PollAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (StoreException)
                {
                    // Try again on the next round.
                }
            }
        }
    }

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

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Revocation sync with the store failed: {Problem}")]
    private static partial void LogSyncFailed(ILogger logger, string problem);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Revocation notification listener stopped: {Problem}; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, string problem);
}
