namespace Mandate.Core.Storage;

internal enum StoreIntent
{
    Read,

    /// <summary>A write whose commit returns once the change is on stable storage (SQLite: <c>synchronous = FULL</c>).</summary>
    Write,

    /// <summary>
    /// A write whose commit may return before the store has forced it to stable storage: it survives a crash of this
    /// process, and reaches the disk with the next <see cref="Write"/> commit or <see cref="IMandateStore.FlushAsync"/>
    /// (a crash of the machine before then may take it). SQLite runs the transaction with <c>synchronous = NORMAL</c>
    /// (WAL: the commit is written to the log, not synced); PostgreSQL commits it as any write (its
    /// <c>synchronous_commit</c> decides). For the decision ledger, whose records are flushed on a short interval.
    /// </summary>
    WriteWithoutFlush,
}
