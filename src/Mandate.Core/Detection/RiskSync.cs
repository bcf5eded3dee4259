using Mandate.Core.Hosting;
using Mandate.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mandate.Core.Detection;

/// <summary>
/// Keeps this node's <see cref="RiskBook"/> on the store's risk scores when nodes share a store (PostgreSQL): a score
/// raised by detection or cleared by an operator on any node is announced at commit and read here at once, so
/// <c>context.risk</c> is the same on every node. After a broken connection every score is reloaded before the node
/// counts as fresh again. (Lifecycle responses, suspension and revocation, travel on the identity and revocation
/// channels.)
/// </summary>
internal sealed class RiskSync(
    IMandateStore store,
    RiskBook book,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<RiskSync> logger,
    StoreFreshness freshness,
    IStoreNotifications? notifications = null) : BackgroundService
{
    public const string LoopName = "risk-listener";

    /// <summary>Completes once the listener is subscribed (immediately where there is none).</summary>
    public TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        return StoreChannelListener.RunAsync(
            new BackgroundLoop(LoopName, health, time, logger),
            notifications,
            freshness,
            StoreChannels.Risk,
            RefreshAsync,
            ReloadAsync,
            Listening,
            stoppingToken,
            // With detection off nothing else loads the book at start.
            catchUpFirst: true);
    }

    /// <summary>Reads every score from the store.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        book.Load(await session.Get<IDetectionRepository>().LoadRiskAsync(cancellationToken).ConfigureAwait(false));
    }

    private async Task RefreshAsync(string identity, CancellationToken cancellationToken)
    {
        if (identity == "*")
        {
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        StoredRisk? stored;
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            stored = await session.Get<IDetectionRepository>().GetRiskAsync(identity, cancellationToken).ConfigureAwait(false);
        }

        if (stored is null)
        {
            book.Remove(identity);
        }
        else
        {
            book.Apply(stored);
        }
    }
}
