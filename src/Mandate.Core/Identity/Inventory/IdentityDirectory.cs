using System.Collections.Concurrent;
using Mandate.Core.Storage;

namespace Mandate.Core.Identity.Inventory;

/// <summary>
/// An in-memory view of every identity's status and expiry, so token validation never waits on the store. Updated
/// by this process right after each committed change, by <see cref="IdentityDirectorySync"/> as other nodes announce
/// theirs (PostgreSQL), and reloaded periodically as a safety net.
/// </summary>
internal sealed class IdentityDirectory(IMandateStore store)
{
    // Writers (changes, refreshes, the swap at the end of a reload) take the gate; readers never do.
    private readonly Lock gate = new();
    private readonly SemaphoreSlim reloadLock = new(1, 1);
    private volatile ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    // While a reload reads the store, the changes applied meanwhile: its snapshot may predate them, so they are
    // replayed onto it before it replaces the live view (null: the identity was found gone).
    private Dictionary<string, Entry?>? changedDuringReload;

    private long epoch;

    public int Count => entries.Count;

    /// <summary>Grows whenever an identity's status or expiry changes here, so an answer decided under an older epoch may be stale.</summary>
    public long Epoch => Interlocked.Read(ref epoch);

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await reloadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (gate)
            {
                changedDuringReload = new Dictionary<string, Entry?>(StringComparer.Ordinal);
            }

            var fresh = new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);
            var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                var repository = session.Get<IIdentityRepository>();
                string? after = null;
                while (true)
                {
                    var page = await repository.ListAsync(new IdentityQuery { After = after, Limit = 1000 }, cancellationToken).ConfigureAwait(false);
                    foreach (var identity in page)
                    {
                        fresh[identity.SpiffeId] = Entry.Of(identity);
                    }

                    if (page.Count < 1000)
                    {
                        break;
                    }

                    after = page[^1].SpiffeId;
                }
            }

            lock (gate)
            {
                foreach (var (spiffeId, change) in changedDuringReload!)
                {
                    if (change is { } entry)
                    {
                        fresh[spiffeId] = entry;
                    }
                    else
                    {
                        fresh.TryRemove(spiffeId, out _);
                    }
                }

                if (Differs(entries, fresh))
                {
                    Interlocked.Increment(ref epoch);
                }

                entries = fresh;
            }
        }
        finally
        {
            lock (gate)
            {
                changedDuringReload = null;
            }

            reloadLock.Release();
        }
    }

    /// <summary>Re-reads one identity from the store (another node announced a change to it).</summary>
    public async Task RefreshAsync(string spiffeId, CancellationToken cancellationToken)
    {
        WorkloadIdentity? identity;
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            identity = await session.Get<IIdentityRepository>().GetAsync(spiffeId, cancellationToken).ConfigureAwait(false);
        }

        if (identity is not null)
        {
            Apply(identity);
            return;
        }

        lock (gate)
        {
            if (entries.TryRemove(spiffeId, out _))
            {
                Interlocked.Increment(ref epoch);
            }

            changedDuringReload?[spiffeId] = null;
        }
    }

    /// <summary>
    /// Takes a committed state of the identity; the last one applied wins. (Timestamps from several nodes' clocks
    /// cannot order changes safely. A refresh that read the store just before a local change and applies just after
    /// it is corrected by the refresh that change's own announcement triggers, as announcements are handled in order.)
    /// </summary>
    public void Apply(WorkloadIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var entry = Entry.Of(identity);
        lock (gate)
        {
            if (!entries.TryGetValue(identity.SpiffeId, out var before) || before != entry)
            {
                Interlocked.Increment(ref epoch);
            }

            entries[identity.SpiffeId] = entry;
            changedDuringReload?[identity.SpiffeId] = entry;
        }
    }

    /// <summary>Null when the identity exists, is active and has not expired; otherwise why it cannot be used.</summary>
    public IdentityError? CheckUsable(string spiffeId, DateTimeOffset now)
    {
        if (!entries.TryGetValue(spiffeId, out var entry))
        {
            return new IdentityError(IdentityErrorCodes.IdentityUnknown, $"The identity {spiffeId} is not in the inventory.");
        }

        if (entry.Status != IdentityStatus.Active)
        {
            return new IdentityError(IdentityErrorCodes.IdentityInactive, $"The identity {spiffeId} is {IdentityStatuses.Name(entry.Status)}.");
        }

        if (now >= entry.ExpiresAt)
        {
            return new IdentityError(IdentityErrorCodes.IdentityInactive, $"The identity {spiffeId} expired.");
        }

        return null;
    }

    /// <summary>
    /// Null when the identity is not in the inventory, or is active and has not expired; otherwise why it cannot be
    /// used (for credentials that may name parties Mandate does not inventory, such as a trusted foreign workload).
    /// </summary>
    public IdentityError? CheckKnownUsable(string spiffeId, DateTimeOffset now) =>
        entries.ContainsKey(spiffeId) ? CheckUsable(spiffeId, now) : null;

    private static bool Differs(ConcurrentDictionary<string, Entry> before, ConcurrentDictionary<string, Entry> after)
    {
        if (before.Count != after.Count)
        {
            return true;
        }

        foreach (var (spiffeId, entry) in after)
        {
            if (!before.TryGetValue(spiffeId, out var old) || old != entry)
            {
                return true;
            }
        }

        return false;
    }

    private readonly record struct Entry(IdentityStatus Status, DateTimeOffset ExpiresAt)
    {
        public static Entry Of(WorkloadIdentity identity) => new(identity.Status, identity.ExpiresAt);
    }
}
