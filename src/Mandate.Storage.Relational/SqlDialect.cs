using System.Data.Common;
using System.Reflection;
using Mandate.Core.Storage;

namespace Mandate.Storage.Relational;

/// <summary>What differs between the SQL databases Mandate runs on. Everything else is shared SQL.</summary>
internal abstract class SqlDialect
{
    public abstract string Kind { get; }

    /// <summary>The ledger's dictionary ids this store has seen committed (see <see cref="AuditStringIds"/>).</summary>
    public AuditStringIds AuditStrings { get; } = new();

    /// <summary>
    /// Rows per multi-row <c>INSERT</c> in bulk writes (findings, ledger appends). A server store saves round trips with
    /// several rows per statement (few enough to stay far below every driver's parameter limit); an in-process store has
    /// no round trip to save, and 1 means one prepared statement re-bound per row.
    /// </summary>
    public virtual int RowsPerBulkInsert => 25;

    /// <summary>
    /// Prepares the session's connection for a bulk insert of about <paramref name="rows"/> rows into an indexed table
    /// and returns what puts it back (disposed when the insert is done, before the transaction commits), or null when
    /// nothing changes. SQLite enlarges the connection's page cache for the insert: the rows of such an insert go into
    /// an index (a primary key on a hash, say) in random order, and with the default cache nearly every row evicts a
    /// dirty page to the WAL and reads another back, which made the insert several times slower than it needs to be.
    /// </summary>
    public virtual ValueTask<IAsyncDisposable?> BeginBulkInsertAsync(DbConnection connection, int rows, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IAsyncDisposable?>(null);

    /// <summary>
    /// A writer of many rows into <paramref name="table"/> (<paramref name="columns"/>, comma-separated,
    /// <paramref name="columnCount"/> of them) with <paramref name="onConflict"/> after the values, in the session's
    /// transaction. The default buffers <see cref="RowsPerBulkInsert"/> rows per multi-row statement.
    /// </summary>
    public virtual ValueTask<BulkRowWriter> OpenBulkRowWriterAsync(RelationalSession session, string table, string columns, int columnCount, string onConflict, CancellationToken cancellationToken) =>
        ValueTask.FromResult<BulkRowWriter>(new CommandBulkRowWriter(session, table, columns, columnCount, onConflict));

    /// <summary>
    /// The rows of a verification walk from <paramref name="fromSequence"/> to the head, in the session's transaction
    /// (see <see cref="Mandate.Core.Audit.IAuditRepository.OpenRowCursorAsync"/>). The default reads through the driver
    /// as <paramref name="repository"/>'s own reads do.
    /// </summary>
    public virtual Task<Mandate.Core.Audit.IAuditRowCursor> OpenAuditRowCursorAsync(RelationalSession session, Repositories.AuditRepository repository, long fromSequence, CancellationToken cancellationToken) =>
        Repositories.AuditRowCursor.OpenAsync(session, repository, fromSequence, cancellationToken);

    /// <summary>The assembly whose embedded <c>migrations/NNNN_name.sql</c> resources define the schema.</summary>
    public abstract Assembly MigrationAssembly { get; }

    public abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts a transaction; a write transaction takes the database's write lock up front. A
    /// <see cref="Mandate.Core.Storage.StoreIntent.WriteWithoutFlush"/> transaction may commit before its change is
    /// synced (where the database can tell the two apart).
    /// </summary>
    public abstract ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, Mandate.Core.Storage.StoreIntent intent, CancellationToken cancellationToken);

    /// <summary>Binds a session's command to the session's transaction (what <see cref="BeginTransactionAsync"/> returned).</summary>
    public virtual void Enlist(DbCommand command, DbTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Transaction = transaction;
    }

    /// <summary>Throws when a command on <paramref name="connection"/> must not run now (its transaction ended under it).</summary>
    public virtual void EnsureUsable(DbConnection? connection)
    {
    }

    /// <summary>
    /// Forces what <see cref="Mandate.Core.Storage.StoreIntent.WriteWithoutFlush"/> transactions committed to stable
    /// storage. Nothing to do where every commit is durable (the default).
    /// </summary>
    public virtual ValueTask FlushAsync(DbConnection connection, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>SQL that stores the UTF-8 bytes bound to <paramref name="parameter"/> as text (a large document bound as
    /// bytes is not copied to UTF-8 again by the driver).</summary>
    public abstract string TextFromUtf8Sql(string parameter);

    /// <summary>SQL that reads the text column <paramref name="column"/> as its UTF-8 bytes (a large document read so is
    /// parsed in place, with no string of it).</summary>
    public abstract string Utf8FromTextSql(string column);

    /// <summary>SQL run inside a write transaction to serialize appends to one chain (e.g. the audit log).</summary>
    public abstract string? SerializeSql(string lockName);

    /// <summary>Runs once before migrations: checks the database is usable (not corrupt, not from a newer build).</summary>
    public virtual Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Serializes concurrent migrators (several nodes starting at once).</summary>
    public virtual string? MigrationLockSql => null;

    /// <summary>Whether the exception is a violated primary-key or unique constraint (a row with that key exists already).</summary>
    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>
    /// Maps a driver exception to a classified, operator-readable <see cref="StoreException"/>, or null when it is not a
    /// store fault: a violated constraint is the caller's conflict (repositories catch unique violations themselves),
    /// and any other exception is a defect, not an outage.
    /// </summary>
    public abstract StoreException? Translate(Exception exception);
}
