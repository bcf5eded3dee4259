namespace Mandate.Core.Audit;

/// <summary>Persistence of the audit chain, its checkpoints and checkpoint signing keys.</summary>
internal interface IAuditRepository
{
    /// <summary>
    /// Whether a write transaction already excludes every other writer (SQLite's single writer), so locking the head
    /// early in one holds back nobody it did not already hold back.
    /// </summary>
    bool WritersAreSerialized { get; }

    /// <summary>The last record, locking the head so no other writer can append until this transaction ends.</summary>
    Task<AuditRecord?> GetHeadForAppendAsync(CancellationToken cancellationToken);

    Task AppendAsync(AuditRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Appends records chained onto a head this writer remembers from its own last commit, taking the chain lock in the
    /// same round trip instead of reading the head first. Returns false, having written nothing, when that head is no
    /// longer the head (someone else appended meanwhile: the first sequence number is taken); the transaction is then
    /// unusable and the caller retries in a new one from a freshly read head.
    /// </summary>
    Task<bool> TryAppendOnRememberedHeadAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken);

    /// <summary>Appends several records with as few round trips as the database allows (group commit).</summary>
    Task AppendManyAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken);

    /// <summary>Records in sequence order from <paramref name="fromSequence"/> (inclusive), with their indexed columns.</summary>
    IAsyncEnumerable<StoredAuditRecord> ReadAsync(long fromSequence, CancellationToken cancellationToken);

    /// <summary>Records in sequence order from <paramref name="fromSequence"/> to <paramref name="toSequence"/> (inclusive).</summary>
    IAsyncEnumerable<StoredAuditRecord> ReadRangeAsync(long fromSequence, long toSequence, CancellationToken cancellationToken);

    /// <summary>
    /// The rows from <paramref name="fromSequence"/> (inclusive) to the head, as compact batches for a verification walk:
    /// the same rows, previous hashes and lookup entries <see cref="ReadAsync"/> returns as records (a batch row rebuilds
    /// the very record with <see cref="AuditRowBatch.ToStoredRecord"/>).
    /// </summary>
    Task<IAuditRowCursor> OpenRowCursorAsync(long fromSequence, CancellationToken cancellationToken);

    /// <summary>The newest sequence number and hash, without locking; null for an empty chain.</summary>
    Task<(long Sequence, string Hash)?> GetHeadAsync(CancellationToken cancellationToken);

    /// <summary>Events matching every given filter, in sequence order, after <see cref="AuditQuery.AfterSequence"/>.</summary>
    Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    Task<AuditCheckpoint?> GetLastCheckpointAsync(CancellationToken cancellationToken);

    Task AddCheckpointAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>The signed checkpoint whose range holds <paramref name="sequence"/>, or null when none does (yet).</summary>
    Task<AuditCheckpoint?> GetCheckpointCoveringAsync(long sequence, CancellationToken cancellationToken);

    /// <summary>Every checkpoint in sequence order.</summary>
    Task<IReadOnlyList<AuditCheckpoint>> ReadCheckpointsAsync(CancellationToken cancellationToken);

    /// <summary>Every checkpoint signing key ever used, public part only.</summary>
    Task<IReadOnlyList<AuditPublicKey>> GetPublicKeysAsync(CancellationToken cancellationToken);

    /// <summary>Signing keys with their encrypted private parts, newest first.</summary>
    Task<IReadOnlyList<StoredAuditSigningKey>> GetSigningKeysAsync(CancellationToken cancellationToken);

    Task AddSigningKeyAsync(StoredAuditSigningKey key, CancellationToken cancellationToken);
}
