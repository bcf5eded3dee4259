using Mandate.Core.Storage;

namespace Mandate.Core.Audit;

/// <summary>Appends events to the hash-chained audit log.</summary>
internal interface IAuditTrail
{
    /// <summary>
    /// Appends the event inside the caller's transaction: it commits with the state change it records or not at all.
    /// Call it before <see cref="IStoreSession.CommitAsync"/>.
    /// </summary>
    Task<AuditRecord> RecordAsync(IStoreSession session, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Appends several events, in order, inside the caller's transaction (one head read, batched inserts): a state
    /// change that touches many things (a cascading revocation, a flush of credential uses) records one event per
    /// thing without one round trip per event.
    /// </summary>
    Task<IReadOnlyList<AuditRecord>> RecordManyAsync(IStoreSession session, IReadOnlyList<AuditEvent> auditEvents, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="RecordManyAsync"/> for a writer that remembers the head it committed last: the events are chained
    /// onto <paramref name="head"/> without reading it. Null, having appended nothing, when the head moved meanwhile
    /// (another writer appended: the first sequence number is taken); the session is then unusable: dispose it (roll
    /// it back) and append with <see cref="RecordManyAsync"/> in a new one.
    /// </summary>
    ValueTask<IReadOnlyList<AuditRecord>?> TryRecordManyOnHeadAsync(IStoreSession session, IReadOnlyList<AuditEvent> auditEvents, (long Sequence, string Hash) head, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="RecordManyAsync"/> for a large change written by the caller in the same session: the head is
    /// locked first, then the events are built by <paramref name="build"/>, checked, chained and hashed on another core
    /// while <paramref name="alongside"/> writes the change on this one, and appended after it. What is appended is
    /// what <see cref="RecordManyAsync"/> appends for the same events; only the work overlaps. Only where a write
    /// transaction already excludes every other writer (SQLite): on a server store, where holding the head would hold
    /// back every other node's appends while the change is written, the events are built beside the change and chained
    /// after it.
    /// </summary>
    Task<IReadOnlyList<AuditRecord>> RecordManyAlongsideAsync(IStoreSession session, Func<IReadOnlyList<AuditEvent>> build, Func<Task> alongside, CancellationToken cancellationToken);

    /// <summary>
    /// Appends an event that has no state change of its own to ride with (a decision, a failed login, an operator
    /// note) in its own durable transaction, batched with concurrent appenders (group commit). The task completes only
    /// once the event is committed; an acknowledged event is never lost.
    /// </summary>
    Task<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken);
}
