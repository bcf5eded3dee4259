namespace Mandate.Core.Exceptions;

/// <summary>Exception and break-glass grants.</summary>
internal interface IGrantRepository
{
    Task InsertAsync(AccessGrant grant, CancellationToken cancellationToken);

    Task<AccessGrant?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Grants, newest first, optionally of one status and one identity.</summary>
    Task<IReadOnlyList<AccessGrant>> ListAsync(string? status, string? identity, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the grant when its stored status is still <paramref name="expectedStatus"/>; false, changing nothing,
    /// when another operator or node moved it first. On a shared store the change is announced at commit.
    /// </summary>
    Task<bool> UpdateAsync(AccessGrant grant, string expectedStatus, CancellationToken cancellationToken);

    /// <summary>Every active grant (expired or not: the caller checks the time).</summary>
    Task<IReadOnlyList<AccessGrant>> ActiveAsync(CancellationToken cancellationToken);

    /// <summary>Pending and active grants whose expiry is at or before <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<AccessGrant>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
}
