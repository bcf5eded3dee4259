namespace Mandate.Core.DynamicCredentials;

internal interface IDynamicCredentialLeaseRepository
{
    Task InsertAsync(DynamicCredentialLease lease, CancellationToken cancellationToken);

    Task<DynamicCredentialLease?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Reads a lease and holds its lock until the session ends.</summary>
    Task<DynamicCredentialLease?> GetForUpdateAsync(string id, CancellationToken cancellationToken);

    /// <summary>Newest first; optionally one task's, one status's.</summary>
    Task<IReadOnlyList<DynamicCredentialLease>> ListAsync(string? taskId, string? status, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Marks every issuing or active lease of <paramref name="taskId"/> for removal, due at <paramref name="now"/>;
    /// returns how many it marked.
    /// </summary>
    Task<int> RequestRevocationForTaskAsync(string taskId, DateTimeOffset now, string reason, CancellationToken cancellationToken);

    /// <summary>Marks every issuing or active lease issued to <paramref name="subject"/> for removal; returns how many.</summary>
    Task<int> RequestRevocationForSubjectAsync(string subject, DateTimeOffset now, string reason, CancellationToken cancellationToken);

    /// <summary>
    /// Marks for removal the active leases whose own expiry passed and the issuing ones older than
    /// <paramref name="issuingBefore"/> (a node that stopped between creating and recording); returns how many.
    /// </summary>
    Task<int> RequestRevocationOfStaleAsync(DateTimeOffset now, DateTimeOffset issuingBefore, CancellationToken cancellationToken);

    /// <summary>Leases waiting for removal whose attempt is due at <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<DynamicCredentialLease>> ListRevocationsDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Claims a due removal for one attempt: moves its next attempt to <paramref name="claimUntil"/> only if it is still
    /// waiting and due (so concurrent nodes attempt it once). True when this caller won it.
    /// </summary>
    Task<bool> ClaimRevocationAsync(string id, DateTimeOffset now, DateTimeOffset claimUntil, CancellationToken cancellationToken);

    /// <summary>
    /// Active leases whose extension downstream (after their task's renewal moved <see cref="DynamicCredentialLease.ExpiresAt"/>)
    /// is due at <paramref name="now"/>, oldest first.
    /// </summary>
    Task<IReadOnlyList<DynamicCredentialLease>> ListExtensionsDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Claims a due extension for one attempt, as <see cref="ClaimRevocationAsync"/> does a removal.</summary>
    Task<bool> ClaimExtensionAsync(string id, DateTimeOffset now, DateTimeOffset claimUntil, CancellationToken cancellationToken);

    /// <summary>Writes status, expiry, revocation and retry fields.</summary>
    Task UpdateAsync(DynamicCredentialLease lease, CancellationToken cancellationToken);
}
