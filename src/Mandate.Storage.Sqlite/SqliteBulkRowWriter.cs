using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Mandate.Storage.Relational;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Mandate.Storage.Sqlite;

/// <summary>
/// SQLite's <see cref="BulkRowWriter"/>: one statement prepared on the session's connection handle, bound by position
/// and stepped once per row. A first findings recompute writes hundreds of thousands of rows, and through
/// <see cref="SqliteCommand"/> each row paid for the command machinery (a parameter looked up by name, a value
/// converted, a reader made and disposed) about as much as SQLite's own insert; here a row costs the binds and one
/// step. Text is bound from UTF-8 in one reused buffer, which SQLite copies (<c>SQLITE_TRANSIENT</c>).
/// </summary>
internal sealed class SqliteBulkRowWriter : BulkRowWriter
{
    private readonly SqlDialect dialect;
    private readonly sqlite3 database;
    private readonly sqlite3_stmt statement;
    private readonly string sql;
    private readonly SqliteStatementCache? cache;
    private byte[] scratch = ArrayPool<byte>.Shared.Rent(1024);

    private SqliteBulkRowWriter(SqlDialect dialect, sqlite3 database, sqlite3_stmt statement, string sql, SqliteStatementCache? cache)
    {
        this.dialect = dialect;
        this.database = database;
        this.statement = statement;
        this.sql = sql;
        this.cache = cache;
    }

    /// <summary>
    /// A writer on the connection's statement for this shape: taken from <paramref name="cache"/> (the connection's own,
    /// see <see cref="SqliteStatementCache"/>) when an earlier writer left it there, else prepared; given back to the
    /// cache when this writer is disposed.
    /// </summary>
    public static SqliteBulkRowWriter Open(SqlDialect dialect, SqliteConnection connection, string table, string columns, int columnCount, string onConflict, SqliteStatementCache? cache = null)
    {
        var database = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var sql = Sql(table, columns, columnCount, onConflict);
        if (cache?.Take(sql) is not { } statement)
        {
            var rc = raw.sqlite3_prepare_v2(database, sql, out statement);
            Check(dialect, database, rc);
        }

        return new SqliteBulkRowWriter(dialect, database, statement, sql, cache);
    }

    // The ledger opens a writer per group-commit batch: the statement's text is made once per shape, not per batch.
    private static readonly ConcurrentDictionary<(string Table, string Columns, int Count, string OnConflict), string> Statements = new();

    private static string Sql(string table, string columns, int columnCount, string onConflict) =>
        Statements.GetOrAdd((table, columns, columnCount, onConflict), static key =>
        {
            var values = string.Join(", ", Enumerable.Range(1, key.Count).Select(i => "?" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return $"INSERT INTO {key.Table} ({key.Columns}) VALUES ({values}) {key.OnConflict}";
        });

    public override void Text(int column, string? value)
    {
        if (value is null)
        {
            Check(dialect, database, raw.sqlite3_bind_null(statement, column + 1));
            return;
        }

        var needed = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (needed > scratch.Length)
        {
            ArrayPool<byte>.Shared.Return(scratch);
            scratch = ArrayPool<byte>.Shared.Rent(needed);
        }

        var length = Encoding.UTF8.GetBytes(value, scratch);
        Utf8Text(column, scratch.AsSpan(0, length));
    }

    // An empty span has no address, and SQLite binds a null pointer as NULL: empty text is bound as a string.
    public override void Utf8Text(int column, ReadOnlySpan<byte> utf8) =>
        Check(dialect, database, utf8.IsEmpty ? raw.sqlite3_bind_text(statement, column + 1, "") : raw.sqlite3_bind_text(statement, column + 1, utf8));

    // An empty blob is bound as a zero-length blob, not NULL (as Microsoft.Data.Sqlite binds an empty byte array).
    public override void Blob(int column, ReadOnlySpan<byte> value) =>
        Check(dialect, database, value.IsEmpty ? raw.sqlite3_bind_zeroblob(statement, column + 1, 0) : raw.sqlite3_bind_blob(statement, column + 1, value));

    public override void Integer(int column, long? value) =>
        Check(dialect, database, value is { } v ? raw.sqlite3_bind_int64(statement, column + 1, v) : raw.sqlite3_bind_null(statement, column + 1));

    public override ValueTask EndRowAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var rc = raw.sqlite3_step(statement);
        try
        {
            // Read while the connection still holds the step's error message.
            Check(dialect, database, rc);
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }

        return ValueTask.CompletedTask;
    }

    public override ValueTask CompleteAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public override ValueTask DisposeAsync()
    {
        // Reset after every step (EndRowAsync); the bindings are cleared so the cached statement holds no row's values.
        raw.sqlite3_clear_bindings(statement);
        if (cache is null || !cache.Return(sql, statement))
        {
            statement.Dispose();
        }

        ArrayPool<byte>.Shared.Return(scratch);
        scratch = [];
        return ValueTask.CompletedTask;
    }

    // An error code becomes the SqliteException Microsoft.Data.Sqlite would throw, then the store's classified fault.
    internal static void Check(SqlDialect dialect, sqlite3 database, int rc)
    {
        if (rc is raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW)
        {
            return;
        }

        try
        {
            SqliteException.ThrowExceptionForRC(rc, database);
        }
        catch (SqliteException ex) when (dialect.Translate(ex) is { } store)
        {
            throw store;
        }
    }
}
