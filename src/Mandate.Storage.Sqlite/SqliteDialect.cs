using System.Data.Common;
using System.Reflection;
using System.Runtime.CompilerServices;
using Mandate.Core.Storage;
using Mandate.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace Mandate.Storage.Sqlite;

/// <summary>SQLite in WAL mode; one writer at a time (BEGIN IMMEDIATE), readers never blocked.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    // In process, a statement costs no round trip, while Microsoft.Data.Sqlite looks each named parameter up among all
    // of the statement's names when it binds: one prepared single-row statement, re-bound per row, is the cheapest.
    public override int RowsPerBulkInsert => 1;

    // A bulk insert gets about this much page cache per row (an index entry and its share of the B-tree's interior
    // pages, with room), between SQLite's default (2,000 KiB) and a cap that bounds the memory one recompute can take.
    private const long BulkCacheBytesPerRow = 96;
    private const long BulkCacheMinKib = 2_000;
    private const long BulkCacheMaxKib = 64 * 1024;

    private readonly string connectionString;
    private readonly string path;
    private volatile bool directoryEnsured;

    private readonly TimeSpan busyTimeout;

    // The write lock, taken by this process's sessions in turn before SQLite's: a session that found another one of this
    // process writing waited in SQLite's busy handler, a pool thread asleep for 1, 2, 5, 10... ms per retry (the decision
    // writer behind the checkpoint signer or the detection loop), and resumed only when its sleep ended. Here it waits
    // without a thread and resumes as the lock is released. Other processes on the file still meet the busy handler.
    private readonly SemaphoreSlim writeLock = new(1, 1);

    // Set once on each SQLite connection the pool opens (they last for the connection): the text is made once.
    private readonly string connectionPragmas;

    // The native connections the pragmas were set on, with the synchronous mode each is in. A pooled SqliteConnection
    // that hands out one of these again needs no pragma command (a session is opened several times per group-commit
    // batch); a new native connection is not in it.
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, ConnectionState> configured = [];

    /// <param name="path">The database file.</param>
    /// <param name="busyTimeout">How long a statement waits for another connection's lock before failing as busy.</param>
    public SqliteDialect(string path, TimeSpan? busyTimeout = null)
    {
        this.path = Path.GetFullPath(path);
        this.busyTimeout = busyTimeout ?? SqliteDefaults.BusyTimeout;
        connectionPragmas = $"PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {(long)this.busyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL;";
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = this.path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(this.busyTimeout.TotalSeconds),
        }.ToString();
    }

    public override string Kind => "sqlite";

    public override ValueTask<BulkRowWriter> OpenBulkRowWriterAsync(RelationalSession session, string table, string columns, int columnCount, string onConflict, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var connection = (SqliteConnection)session.Connection;
        var statements = configured.GetOrCreateValue(connection.Handle!).Statements;
        SqliteStatementTransaction.EnsureUsable(statements);
        return ValueTask.FromResult<BulkRowWriter>(SqliteBulkRowWriter.Open(this, connection, table, columns, columnCount, onConflict, statements));
    }

    public override Task<Mandate.Core.Audit.IAuditRowCursor> OpenAuditRowCursorAsync(RelationalSession session, Relational.Repositories.AuditRepository repository, long fromSequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Task.FromResult<Mandate.Core.Audit.IAuditRowCursor>(SqliteAuditRowCursor.Open(this, (SqliteConnection)session.Connection, fromSequence));
    }

    public override async ValueTask<IAsyncDisposable?> BeginBulkInsertAsync(DbConnection connection, int rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var kib = Math.Clamp(rows * BulkCacheBytesPerRow / 1024, BulkCacheMinKib, BulkCacheMaxKib);
        if (kib <= BulkCacheMinKib)
        {
            return null;
        }

        var command = connection.CreateCommand();
        await using var commandDisposal = command.ConfigureAwait(false);
        command.CommandText = "PRAGMA cache_size";
        var before = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        command.CommandText = $"PRAGMA cache_size = -{kib}";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return new CacheSizeRestore(connection, before);
    }

    /// <summary>Puts the connection's page cache back to its size before the bulk insert; SQLite frees the pages above it.</summary>
    private sealed class CacheSizeRestore(DbConnection connection, long cacheSize) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            var command = connection.CreateCommand();
            await using var commandDisposal = command.ConfigureAwait(false);
            command.CommandText = $"PRAGMA cache_size = {cacheSize}";
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }

    public override Assembly MigrationAssembly => typeof(SqliteDialect).Assembly;

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        if (!directoryEnsured)
        {
            // The database holds the ledger, identities and wrapped keys: a 0700 directory (when we create it) and a 0600
            // file created before SQLite opens it, so its journals (created with the database's mode) are 0600 too.
            PrivateFiles.EnsureFile(path);
            foreach (var journal in new[] { "-wal", "-shm", "-journal" })
            {
                PrivateFiles.Tighten(path + journal);
            }

            directoryEnsured = true;
        }

        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var handle = connection.Handle!;
        if (configured.TryGetValue(handle, out var known))
        {
            // A session whose ROLLBACK failed gave its connection back inside the transaction: it ends here, as closing a
            // SqliteTransaction's connection would have ended it.
            if (SQLitePCL.raw.sqlite3_get_autocommit(handle) == 0)
            {
                known.Statements.OpenTransaction = null;
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = "ROLLBACK;";
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return connection;
        }

        var pragma = connection.CreateCommand();
        await using var pragmaDisposal = pragma.ConfigureAwait(false);
        pragma.CommandText = connectionPragmas;
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        configured.AddOrUpdate(handle, new ConnectionState());
        return connection;
    }

    public override async ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, StoreIntent intent, CancellationToken cancellationToken)
    {
        // Deferred read transactions see a snapshot; write transactions lock at BEGIN so they never fail on upgrade.
        var sqlite = (SqliteConnection)connection;
        if (intent == StoreIntent.Read)
        {
            return SqliteStatementTransaction.Start(this, sqlite, configured.GetOrCreateValue(sqlite.Handle!).Statements, writeLock: null);
        }

        // As long as SQLite's busy handler would have waited for the lock, and failing the same way.
        if (!await writeLock.WaitAsync(busyTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new StoreException(StoreFault.Busy, $"The SQLite database {path} is locked by another session of this process (waited {busyTimeout.TotalSeconds:0.###} s).");
        }

        try
        {
            // The mode is read at commit; it is set before BEGIN, only when this pooled connection is in the other one.
            var unflushed = intent == StoreIntent.WriteWithoutFlush;
            var state = configured.GetOrCreateValue(sqlite.Handle!);
            if (state.Unflushed != unflushed)
            {
                var pragma = sqlite.CreateCommand();
                await using (pragma.ConfigureAwait(false))
                {
                    // WAL with NORMAL: the commit is written to the log but not synced (a process crash keeps it; the
                    // next FULL commit or checkpoint syncs the log and everything in it).
                    pragma.CommandText = unflushed ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL";
                    await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                state.Unflushed = unflushed;
            }

            // BEGIN IMMEDIATE, as SqliteConnection.BeginTransaction(deferred: false) runs it; the transaction releases the
            // lock when it ends.
            return SqliteStatementTransaction.Start(this, sqlite, state.Statements, writeLock);
        }
        catch
        {
            writeLock.Release();
            throw;
        }
    }

    /// <summary>
    /// Session commands run on the connection unenlisted (a <see cref="SqliteStatementTransaction"/> is not a
    /// <see cref="SqliteTransaction"/>, and the connection has none); a transaction SQLite ended by itself is refused.
    /// </summary>
    public override void Enlist(DbCommand command, DbTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (transaction is SqliteStatementTransaction)
        {
            EnsureUsable(transaction.Connection);
            return;
        }

        command.Transaction = transaction;
    }

    public override void EnsureUsable(DbConnection? connection)
    {
        if (connection is SqliteConnection { Handle: { } handle } && configured.TryGetValue(handle, out var state))
        {
            SqliteStatementTransaction.EnsureUsable(state.Statements);
        }
    }

    public override async ValueTask FlushAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);

        // A passive checkpoint syncs the log before it copies frames into the database (in either synchronous mode), and
        // waits for no reader or writer.
        var command = connection.CreateCommand();
        await using var commandDisposal = command.ConfigureAwait(false);
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override string? SerializeSql(string lockName) => null;

    // A BLOB cast to TEXT is its bytes taken as text in the database's encoding (UTF-8), and a TEXT cast to BLOB the reverse.
    public override string TextFromUtf8Sql(string parameter) => $"CAST({parameter} AS TEXT)";

    public override string Utf8FromTextSql(string column) => $"CAST({column} AS BLOB)";

    public override async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using var commandDisposal = command.ConfigureAwait(false);
        command.CommandText = "PRAGMA quick_check";
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        if (!string.Equals(result, "ok", StringComparison.Ordinal))
        {
            throw new StoreException($"The SQLite database {path} failed its integrity check ({result}). Refusing to start; restore it from a backup. It was not modified.");
        }

        command.CommandText = "PRAGMA journal_mode = WAL";
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    // SQLITE_CONSTRAINT_PRIMARYKEY (1555) and SQLITE_CONSTRAINT_UNIQUE (2067).
    public override bool IsUniqueViolation(Exception exception) => exception is SqliteException { SqliteExtendedErrorCode: 1555 or 2067 };

    // Primary result codes (the low byte of the extended code): https://sqlite.org/rescode.html
    public override StoreException? Translate(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: 19 } => null,
        SqliteException { SqliteErrorCode: 26 } e => new(StoreFault.Corrupt, $"The file {path} is not a SQLite database (or it is corrupt or encrypted). Refusing to start; it was not modified.", e),
        SqliteException { SqliteErrorCode: 11 } e => new(StoreFault.Corrupt, $"The SQLite database {path} is corrupt. Refusing to start; it was not modified.", e),
        SqliteException { SqliteErrorCode: 14 } e => new(StoreFault.Unreachable, $"The SQLite database {path} cannot be opened (check the directory exists and is writable).", e),
        SqliteException { SqliteErrorCode: 8 } e => new(StoreFault.ReadOnly, $"The SQLite database {path} is read-only.", e),
        SqliteException { SqliteErrorCode: 5 or 6 } e => new(StoreFault.Busy, $"The SQLite database {path} is locked by another connection (waited {busyTimeout.TotalSeconds:0.###} s).", e),
        SqliteException { SqliteErrorCode: 10 } e => new(StoreFault.Io, $"Reading or writing the SQLite database {path} failed with an I/O error.", e),
        SqliteException { SqliteErrorCode: 13 } e => new(StoreFault.Io, $"The disk holding the SQLite database {path} is full.", e),
        SqliteException { SqliteErrorCode: 17 } e => new(StoreFault.Schema, $"The schema of the SQLite database {path} changed under the server: {e.Message}", e),
        SqliteException { SqliteErrorCode: 1 } e when IsSchemaMessage(e.Message) => new(StoreFault.Schema, $"The SQLite database {path} does not have the expected schema: {e.Message}", e),
        SqliteException e => new(StoreFault.Other, $"SQLite error {e.SqliteErrorCode} on {path}: {e.Message}", e),
        UnauthorizedAccessException or IOException => new(StoreFault.Unreachable, $"The SQLite database {path} cannot be opened: {exception.Message}", exception),
        _ => null,
    };

    private static bool IsSchemaMessage(string message) =>
        message.Contains("no such table", StringComparison.OrdinalIgnoreCase)
        || message.Contains("no such column", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Finalizes the statements kept on this store's connections (<see cref="SqliteStatementCache"/>), so that closing
    /// the pool closes their files at once (a connection closed with a statement still prepared stays open until it is
    /// finalized). Called when the store is disposed, when no session is running.
    /// </summary>
    internal void ReleaseStatements()
    {
        foreach (var (_, state) in configured)
        {
            state.Statements.Clear();
        }
    }

    /// <summary>
    /// What a native connection's pragmas are now (only the synchronous mode changes after it is opened), and the
    /// statements its bulk writers keep prepared.
    /// </summary>
    private sealed class ConnectionState
    {
        public bool Unflushed { get; set; }

        public SqliteStatementCache Statements { get; } = new();
    }
}
