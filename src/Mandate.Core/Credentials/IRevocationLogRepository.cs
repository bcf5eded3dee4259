namespace Mandate.Core.Credentials;

internal interface IRevocationLogRepository
{
    Task AppendAsync(RevocationEntry entry, CancellationToken cancellationToken);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<RevocationEntry>> ListAsync(int limit, CancellationToken cancellationToken);
}
