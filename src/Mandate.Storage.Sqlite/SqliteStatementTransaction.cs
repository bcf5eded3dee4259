using System.Data;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Mandate.Storage.Sqlite;

/// <summary>
/// A session's transaction, begun and ended by statements the native connection keeps prepared
/// (<see cref="SqliteStatementCache"/>). <see cref="SqliteTransaction"/> ran three commands per transaction (the
/// <c>read_uncommitted</c> pragma, which is never changed from its default here, <c>BEGIN</c> and <c>COMMIT</c>), each a
/// new command, reader and prepared statement, and set a rollback hook (a delegate) per transaction; the decision
/// ledger's writer begins one per group-commit batch, with one caller deciding at a time once per audited decision.
/// The same SQL runs, with the same wait on a busy database. Commands of the session run on the connection without
/// a <see cref="SqliteTransaction"/> (<see cref="SqliteDialect"/> leaves them unenlisted); like Microsoft.Data.Sqlite's
/// check of its rollback hook, a transaction SQLite rolled back by itself after an error (a full disk, an I/O error) is
/// refused from then on (<see cref="EnsureUsable"/>), so no later statement of the session runs in autocommit mode.
/// </summary>
internal sealed class SqliteStatementTransaction : DbTransaction
{
    private const string BeginSql = "BEGIN;";
    private const string BeginImmediateSql = "BEGIN IMMEDIATE;";
    private const string CommitSql = "COMMIT;";
    private const string RollbackSql = "ROLLBACK;";

    // Microsoft.Data.Sqlite waits between retries of a busy statement for this long, up to the command timeout.
    private const int BusyRetryMilliseconds = 150;

    private readonly SqliteDialect dialect;
    private readonly SqliteConnection connection;
    private readonly SqliteStatementCache statements;
    private readonly int timeoutSeconds;
    private bool completed;

    // The dialect's in-process write lock, held from BEGIN IMMEDIATE until the transaction ends (null for a read).
    private SemaphoreSlim? writeLock;

    private SqliteStatementTransaction(SqliteDialect dialect, SqliteConnection connection, SqliteStatementCache statements)
    {
        this.dialect = dialect;
        this.connection = connection;
        this.statements = statements;
        timeoutSeconds = connection.DefaultTimeout;
    }

    /// <summary>
    /// Begins a transaction on <paramref name="connection"/>: deferred without <paramref name="writeLock"/>, or taking
    /// SQLite's write lock at once with it (held by the caller, released by this transaction when it ends; not when BEGIN
    /// fails, which the caller handles).
    /// </summary>
    public static SqliteStatementTransaction Start(SqliteDialect dialect, SqliteConnection connection, SqliteStatementCache statements, SemaphoreSlim? writeLock)
    {
        var transaction = new SqliteStatementTransaction(dialect, connection, statements);
        transaction.Run(writeLock is null ? BeginSql : BeginImmediateSql);
        transaction.writeLock = writeLock;
        return transaction;
    }

    protected override DbConnection DbConnection => connection;

    public override IsolationLevel IsolationLevel => completed ? throw Completed() : IsolationLevel.Serializable;

    /// <summary>False once SQLite ended the transaction by itself (it rolled back after an error).</summary>
    private bool Active => raw.sqlite3_get_autocommit(Handle) == 0;

    private sqlite3 Handle => connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");

    /// <summary>
    /// Throws when the connection has no transaction any more although this session's is not completed: SQLite rolled
    /// it back after an error, and a statement run now would commit on its own.
    /// </summary>
    public static void EnsureUsable(SqliteStatementCache statements)
    {
        ArgumentNullException.ThrowIfNull(statements);
        if (statements.OpenTransaction is { completed: false } transaction && !transaction.Active)
        {
            throw Completed();
        }
    }

    public override void Commit()
    {
        if (completed || !Active)
        {
            throw Completed();
        }

        Run(CommitSql);
        completed = true;
        statements.OpenTransaction = null;
        ReleaseWriteLock();
    }

    public override void Rollback()
    {
        if (completed)
        {
            throw Completed();
        }

        RollbackInternal();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !completed && connection.State == ConnectionState.Open)
        {
            RollbackInternal();
        }

        if (disposing)
        {
            // Also when the connection was closed first: the lock of this process must not outlive the session.
            ReleaseWriteLock();
        }

        base.Dispose(disposing);
    }

    private void RollbackInternal()
    {
        // Completed first: a failed ROLLBACK leaves the transaction to the connection's next opening (SqliteDialect), and
        // the next writer of this process to SQLite's busy handler, as before the in-process lock.
        completed = true;
        statements.OpenTransaction = null;
        try
        {
            if (Active)
            {
                Run(RollbackSql);
            }
        }
        finally
        {
            ReleaseWriteLock();
        }
    }

    private void ReleaseWriteLock() => Interlocked.Exchange(ref writeLock, null)?.Release();

    /// <summary>Steps one of the transaction statements; a BEGIN makes this the connection's open transaction (<see cref="EnsureUsable"/>).</summary>
    private void Run(string sql)
    {
        var database = Handle;
        if (statements.Take(sql) is not { } statement)
        {
            SqliteBulkRowWriter.Check(dialect, database, raw.sqlite3_prepare_v2(database, sql, out statement));
        }

        try
        {
            // As Microsoft.Data.Sqlite steps a statement: a busy database is retried until the command timeout.
            var started = Stopwatch.GetTimestamp();
            int rc;
            while ((rc = raw.sqlite3_step(statement)) is raw.SQLITE_BUSY or raw.SQLITE_LOCKED or raw.SQLITE_LOCKED_SHAREDCACHE
                && (timeoutSeconds == 0 || Stopwatch.GetElapsedTime(started).TotalSeconds < timeoutSeconds))
            {
                raw.sqlite3_reset(statement);
                Thread.Sleep(BusyRetryMilliseconds);
            }

            try
            {
                SqliteBulkRowWriter.Check(dialect, database, rc);
            }
            finally
            {
                raw.sqlite3_reset(statement);
            }
        }
        finally
        {
            if (!statements.Return(sql, statement))
            {
                statement.Dispose();
            }
        }

        if (ReferenceEquals(sql, BeginSql) || ReferenceEquals(sql, BeginImmediateSql))
        {
            statements.OpenTransaction = this;
        }
    }

    private static InvalidOperationException Completed() =>
        new("This SqliteTransaction has completed; it is no longer usable.");
}
