using System.Diagnostics.Metrics;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Storage;
using Mandate.Core.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Telemetry;

/// <summary>
/// The observable gauges: the revocation set's size from memory, and the active tasks and the events not yet covered
/// by a signed checkpoint from the store through <see cref="CachedStoreReading"/> (never a query per scrape). A hosted
/// service only so that the host creates it at start; it has no work of its own.
/// </summary>
internal sealed class MandateGauges : IHostedService
{
    private readonly CachedStoreReading activeTasks;
    private readonly CachedStoreReading unsignedEvents;

    public MandateGauges(
        MandateMetrics metrics,
        IMandateStore store,
        IRevocationSet revocations,
        IOptionsMonitor<MetricsOptions> options,
        TimeProvider time,
        Hosting.ClusterLeadership leadership,
        StoreFreshness freshness)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        TimeSpan MaxAge() => options.CurrentValue.StoreGaugeMaxAge;
        activeTasks = new CachedStoreReading(
            async ct =>
            {
                var session = await store.BeginAsync(StoreIntent.Read, ct).ConfigureAwait(false);
                await using var sessionDisposal = session.ConfigureAwait(false);
                return await session.Get<ITaskRepository>().CountActiveAsync(time.GetUtcNow(), ct).ConfigureAwait(false);
            },
            MaxAge);
        unsignedEvents = new CachedStoreReading(
            async ct =>
            {
                var session = await store.BeginAsync(StoreIntent.Read, ct).ConfigureAwait(false);
                await using var sessionDisposal = session.ConfigureAwait(false);
                var audit = session.Get<IAuditRepository>();
                var head = await audit.GetHeadAsync(ct).ConfigureAwait(false);
                var checkpoint = await audit.GetLastCheckpointAsync(ct).ConfigureAwait(false);
                return Math.Max(0, (head?.Sequence ?? 0) - (checkpoint?.ToSequence ?? 0));
            },
            MaxAge);
        metrics.Meter.CreateObservableGauge("mandate.tasks.active", () => Read(activeTasks), "{task}", "Open tasks whose lease has not ended (all nodes; read from the store, cached)");
        metrics.Meter.CreateObservableGauge(
            "mandate.audit.unsigned_events",
            () => Read(unsignedEvents),
            "{event}",
            "Ledger events newer than the last signed checkpoint (read from the store, cached)");
        metrics.Meter.CreateObservableGauge("mandate.revocation_set.size", () => (long)revocations.Count, "{credential}", "Revoked credentials held in memory for the revocation check");
        metrics.Meter.CreateObservableGauge("mandate.cluster.leader", () => leadership.IsLeader ? 1 : 0, null, "1 when this node is the cluster's leader (runs the leader jobs), 0 otherwise");
        metrics.Meter.CreateObservableGauge(
            "mandate.cluster.stale_views",
            () => (long)freshness.StaleChannels().Count,
            "{view}",
            "In-memory views (revocations, policies, identities, keys, risk) not confirmed to follow the shared store within the freshness bound; above 0 the node refuses decisions");

    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The first values are ready for the first scrape.
        activeTasks.Refresh();
        unsignedEvents.Refresh();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static IEnumerable<Measurement<long>> Read(CachedStoreReading reading) =>
        reading.TryGet(out var value) ? [new Measurement<long>(value)] : [];
}
