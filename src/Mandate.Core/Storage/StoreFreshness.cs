using Microsoft.Extensions.Options;

namespace Mandate.Core.Storage;

/// <summary>
/// Whether this node can vouch that its in-memory views (revocations, policies, identity directory, keys, risk, grants) follow a
/// shared store: each view's listener confirms its channel when it has subscribed after catching up, and again at every
/// heartbeat of a live connection. A channel not confirmed within <see cref="ClusterOptions.FreshnessBound"/> is stale,
/// and decisions that rely on it are refused until it is confirmed again. On a single-node store nothing can be missed,
/// so nothing is ever stale.
/// </summary>
internal sealed class StoreFreshness(IOptions<ClusterOptions> options, TimeProvider time, IStoreNotifications? notifications = null)
{
    // Copy on write: channels are added a handful of times at start, and read on every decision (IsFresh), which must
    // not allocate or lock.
    private readonly Lock gate = new();
    private volatile Slot[] slots = [];

    /// <summary>Whether freshness matters here: other nodes commit to the store.</summary>
    public bool Applies => notifications is { Shared: true };

    public TimeSpan Bound => options.Value.FreshnessBound;

    public TimeSpan Heartbeat => options.Value.Heartbeat;

    /// <summary>
    /// Starts watching <paramref name="channel"/>, confirmed as of now: its view was loaded from the store at start (the
    /// start-up tasks run before the listeners), and its listener has the bound to subscribe.
    /// </summary>
    public void Watch(string channel) => SlotOf(channel);

    /// <summary>The view of <paramref name="channel"/> is known to follow the store as of now.</summary>
    public void Confirm(string channel) => Volatile.Write(ref SlotOf(channel).At, time.GetTimestamp());

    /// <summary>Whether every watched channel was confirmed within the bound (always, when freshness does not apply); allocates nothing.</summary>
    public bool IsFresh()
    {
        if (!Applies)
        {
            return true;
        }

        var now = time.GetTimestamp();
        var bound = Bound;
        foreach (var slot in slots)
        {
            if (time.GetElapsedTime(Volatile.Read(ref slot.At), now) > bound)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The watched channels not confirmed within the bound (empty when fresh, or when freshness does not apply).</summary>
    public IReadOnlyList<string> StaleChannels()
    {
        if (!Applies)
        {
            return [];
        }

        var now = time.GetTimestamp();
        var bound = Bound;
        var stale = new List<string>();
        foreach (var slot in slots)
        {
            if (time.GetElapsedTime(Volatile.Read(ref slot.At), now) > bound)
            {
                stale.Add(Name(slot.Channel));
            }
        }

        stale.Sort(StringComparer.Ordinal);
        return stale;
    }

    /// <summary>What operators see of a channel: "revocations" for <c>mandate_revocations_</c>.</summary>
    public static string Name(string channel) => channel.Replace("mandate_", "", StringComparison.Ordinal).TrimEnd('_');

    private Slot SlotOf(string channel)
    {
        foreach (var slot in slots)
        {
            if (string.Equals(slot.Channel, channel, StringComparison.Ordinal))
            {
                return slot;
            }
        }

        lock (gate)
        {
            foreach (var slot in slots)
            {
                if (string.Equals(slot.Channel, channel, StringComparison.Ordinal))
                {
                    return slot;
                }
            }

            var added = new Slot(channel, time.GetTimestamp());
            slots = [.. slots, added];
            return added;
        }
    }

    /// <summary>One watched channel and the timestamp of its last confirmation.</summary>
    private sealed class Slot(string channel, long at)
    {
        public readonly string Channel = channel;

        public long At = at;
    }
}
