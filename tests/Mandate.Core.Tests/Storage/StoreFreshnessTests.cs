using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Tests.Storage;

/// <summary>
/// The freshness check every decision asks (<see cref="StoreFreshness.IsFresh"/>, which allocates nothing) agrees with
/// the list of stale channels that answers a refusal: stale once any watched channel goes unconfirmed past the bound,
/// fresh again once it is confirmed, and never stale where no other node writes.
/// </summary>
public sealed class StoreFreshnessTests
{
    private static readonly ClusterOptions Cluster = new();

    [Fact]
    public void OneUnconfirmedChannel_ShouldMakeTheNodeStale_UntilItIsConfirmed()
    {
        var clock = new SteppedTimestamps();
        var freshness = new StoreFreshness(Options.Create(Cluster), clock, new Notifications(shared: true));
        freshness.Watch("mandate_revocations_");
        freshness.Watch("mandate_policies_");
        Assert.True(freshness.IsFresh());
        Assert.Empty(freshness.StaleChannels());

        clock.Advance(freshness.Bound / 2);
        freshness.Confirm("mandate_policies_");
        clock.Advance((freshness.Bound / 2) + TimeSpan.FromSeconds(1));
        Assert.False(freshness.IsFresh());
        Assert.Equal(["revocations"], freshness.StaleChannels());

        freshness.Confirm("mandate_revocations_");
        Assert.True(freshness.IsFresh());
        Assert.Empty(freshness.StaleChannels());

        // A channel confirmed before it was watched is watched from then on; watching it again does not reset it.
        freshness.Confirm("mandate_keys_");
        clock.Advance(freshness.Bound + TimeSpan.FromSeconds(1));
        freshness.Watch("mandate_keys_");
        Assert.False(freshness.IsFresh());
        Assert.Equal(["keys", "policies", "revocations"], freshness.StaleChannels());
    }

    [Fact]
    public void ASingleNodeStore_ShouldNeverBeStale()
    {
        var clock = new SteppedTimestamps();
        var freshness = new StoreFreshness(Options.Create(Cluster), clock, new Notifications(shared: false));
        freshness.Watch("mandate_revocations_");
        clock.Advance(TimeSpan.FromDays(1));
        Assert.True(freshness.IsFresh());
        Assert.Empty(freshness.StaleChannels());
    }

    private sealed class SteppedTimestamps : TimeProvider
    {
        private long now = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref now);

        public void Advance(TimeSpan by) => Interlocked.Add(ref now, by.Ticks);
    }

    private sealed class Notifications(bool shared) : IStoreNotifications
    {
        public bool Shared => shared;

        public Task ListenAsync(string channel, Func<string, Task> onPayload, Func<Task> onListening, Action onAlive, TimeSpan heartbeat, CancellationToken cancellationToken) =>
            Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
