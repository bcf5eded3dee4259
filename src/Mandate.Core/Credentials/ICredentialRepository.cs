namespace Mandate.Core.Credentials;

/// <summary>Issued credentials, their revocation and their use.</summary>
internal interface ICredentialRepository
{
    Task InsertAsync(CredentialRecord credential, CancellationToken cancellationToken);

    Task<CredentialRecord?> GetAsync(string jti, CancellationToken cancellationToken);

    Task<IReadOnlyList<CredentialRecord>> ListByTaskAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>How many credentials are alive at <paramref name="now"/> (not revoked, not expired).</summary>
    Task<long> CountLiveAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The <c>jti</c>s of credentials whose subject or holder is one of <paramref name="identities"/>.</summary>
    Task<IReadOnlyList<string>> ListJtisHeldByAsync(IReadOnlyCollection<string> identities, CancellationToken cancellationToken);

    /// <summary>
    /// Revokes the given credentials and every credential derived from them by exchange (at any depth) that is not
    /// revoked yet; returns the credentials it revoked now.
    /// </summary>
    Task<IReadOnlyList<RevokedCredential>> RevokeWithDescendantsAsync(IReadOnlyCollection<string> rootJtis, DateTimeOffset now, string reason, string revokedBy, CancellationToken cancellationToken);

    /// <summary>
    /// Marks live credentials for revocation once <paramref name="after"/> has passed (a renewal's grace period); the task
    /// sweeper revokes them (<see cref="ListRevocationsDueAsync"/>).
    /// </summary>
    Task ScheduleRevocationAsync(IReadOnlyCollection<string> jtis, DateTimeOffset after, CancellationToken cancellationToken);

    /// <summary>Credentials not revoked yet whose scheduled revocation time is at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<string>> ListRevocationsDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Adds uses to a credential's counters (first use kept, last use advanced).</summary>
    Task RecordUseAsync(string jti, long count, DateTimeOffset firstUse, DateTimeOffset lastUse, string? source, CancellationToken cancellationToken);

    /// <summary>Revoked credentials not yet expired at <paramref name="now"/> whose revocation is at or after <paramref name="revokedSince"/>.</summary>
    Task<IReadOnlyList<string>> ListRevokedJtisAsync(DateTimeOffset revokedSince, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Tells other nodes sharing the store about new revocations (delivered at commit; a no-op where there is one node).</summary>
    Task NotifyRevokedAsync(IReadOnlyCollection<string> jtis, CancellationToken cancellationToken);
}
