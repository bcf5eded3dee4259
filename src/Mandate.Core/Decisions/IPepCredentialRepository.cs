namespace Mandate.Core.Decisions;

/// <summary>Stored, API-issued PEP credentials (hashes only).</summary>
internal interface IPepCredentialRepository
{
    Task InsertAsync(StoredPepCredential credential, CancellationToken cancellationToken);

    Task<StoredPepCredential?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken);

    Task<StoredPepCredential?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every issued credential, newest first; revoked ones too.</summary>
    Task<IReadOnlyList<StoredPepCredential>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Marks it revoked; false when it was revoked already (or does not exist).</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset now, string revokedBy, string? reason, CancellationToken cancellationToken);
}
