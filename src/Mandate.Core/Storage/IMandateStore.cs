namespace Mandate.Core.Storage;

/// <summary>
/// A Mandate store: the one place state lives. Every change runs inside a session (a transaction) so that the
/// change and the audit event that records it commit together or not at all.
/// </summary>
internal interface IMandateStore : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres".</summary>
    string Kind { get; }

    /// <summary>Applies every pending versioned migration. Refuses a database that is unreadable or newer than this build.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Whether the store is reachable and fully migrated; never throws.</summary>
    Task<StoreStatus> CheckAsync(CancellationToken cancellationToken);

    /// <summary>Opens a session. A write session takes the store's write lock up front (SQLite: BEGIN IMMEDIATE).</summary>
    Task<IStoreSession> BeginAsync(StoreIntent intent, CancellationToken cancellationToken);

    /// <summary>
    /// Forces what <see cref="StoreIntent.WriteWithoutFlush"/> sessions committed to stable storage (SQLite: a passive
    /// WAL checkpoint, which syncs the log first). A store whose commits are always durable has nothing to do.
    /// </summary>
    Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
