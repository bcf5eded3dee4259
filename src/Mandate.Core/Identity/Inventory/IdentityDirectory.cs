using System.Collections.Concurrent;
using Mandate.Core.Storage;

namespace Mandate.Core.Identity.Inventory;

/// <summary>
/// An in-memory view of every identity's status and expiry, so token validation never waits on the store. Updated
/// by this process right after each committed change, by <see cref="IdentityDirectorySync"/> as other nodes announce
/// theirs (PostgreSQL), and reloaded periodically as a safety net.
/// </summary>
public sealed class IdentityDirectory(IMandateStore store)
{
    private ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public int Count => entries.Count;

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var fresh = new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);
        await using (var session = await store.BeginAsync(StoreIntent.Read, cancellationToken))
        {
            var repository = session.Get<IIdentityRepository>();
            string? after = null;
            while (true)
            {
                var page = await repository.ListAsync(new IdentityQuery { After = after, Limit = 1000 }, cancellationToken);
                foreach (var identity in page)
                {
                    fresh[identity.SpiffeId] = new Entry(identity.Status, identity.ExpiresAt);
                }

                if (page.Count < 1000)
                {
                    break;
                }

                after = page[^1].SpiffeId;
            }
        }

        entries = fresh;
    }

    /// <summary>Re-reads one identity from the store (another node announced a change to it).</summary>
    public async Task RefreshAsync(string spiffeId, CancellationToken cancellationToken)
    {
        WorkloadIdentity? identity;
        await using (var session = await store.BeginAsync(StoreIntent.Read, cancellationToken))
        {
            identity = await session.Get<IIdentityRepository>().GetAsync(spiffeId, cancellationToken);
        }

        if (identity is null)
        {
            entries.TryRemove(spiffeId, out _);
        }
        else
        {
            Apply(identity);
        }
    }

    public void Apply(WorkloadIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        entries[identity.SpiffeId] = new Entry(identity.Status, identity.ExpiresAt);
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

    private readonly record struct Entry(IdentityStatus Status, DateTimeOffset ExpiresAt);
}
