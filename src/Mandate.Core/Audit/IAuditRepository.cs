namespace Mandate.Core.Audit;

/// <summary>Persistence of the audit chain. Implementations lock the chain head for the session's transaction.</summary>
public interface IAuditRepository
{
    /// <summary>The last record, locking the head so no other writer can append until this transaction ends.</summary>
    Task<AuditRecord?> GetHeadForAppendAsync(CancellationToken cancellationToken);

    Task AppendAsync(AuditRecord record, string canonicalJson, CancellationToken cancellationToken);

    /// <summary>Records in sequence order from <paramref name="fromSequence"/> (inclusive).</summary>
    IAsyncEnumerable<StoredAuditRecord> ReadAsync(long fromSequence, CancellationToken cancellationToken);
}
