namespace Mandate.Core.Identity.Inventory;

internal interface IIdentityRepository
{
    Task<WorkloadIdentity?> GetAsync(string spiffeId, CancellationToken cancellationToken);

    /// <summary>Inserts; returns false when the SPIFFE ID is already registered.</summary>
    Task<bool> InsertAsync(WorkloadIdentity identity, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the identity from <paramref name="expected"/> to <paramref name="status"/>; returns false, changing nothing,
    /// when its status is no longer <paramref name="expected"/> (another request changed it since it was read).
    /// </summary>
    Task<bool> UpdateStatusAsync(string spiffeId, IdentityStatus expected, IdentityStatus status, string? reason, DateTimeOffset now, CancellationToken cancellationToken);

    Task<IReadOnlyList<WorkloadIdentity>> ListAsync(IdentityQuery query, CancellationToken cancellationToken);

    /// <summary>How many identities there are of each kind in each lifecycle status (one grouped query, never a listing).</summary>
    Task<IReadOnlyList<IdentityCount>> CountByKindAndStatusAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Tells other nodes sharing the store that the identity was registered or changed status, when this transaction
    /// commits (nothing is announced if it rolls back). A no-op where the store has a single node.
    /// </summary>
    Task NotifyChangedAsync(string spiffeId, CancellationToken cancellationToken);
}
