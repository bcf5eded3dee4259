using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Storage.Relational;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Mandate.Storage.Sqlite;

/// <summary>
/// SQLite's rows of a verification walk: one statement prepared on the session's connection handle and stepped, each
/// column read by position straight into the batch (text as the UTF-8 SQLite holds, the hash as its bytes), each
/// lookup id resolved once per walk by a second prepared statement. Through <see cref="SqliteDataReader"/> a row cost a
/// string per text column, a byte array and a hex string for its hash and the reader's per-column machinery: reading a
/// million rows took longer than checking them. The values are those the driver returns (<c>sqlite3_column_int64</c>
/// for integers, the column's bytes as text, the same conversions), so a row reads as the driver reads it.
/// </summary>
internal sealed class SqliteAuditRowCursor : IAuditRowCursor
{
    private const int Seq = 0, Time = 1, FirstLookup = 2, FirstText = 6, ChainId = 11, PolicyVersionId = 12, Reason = 13, Details = 14, Hash = 15;

    private readonly SqlDialect dialect;
    private readonly sqlite3 database;
    private readonly sqlite3_stmt rows;
    private readonly sqlite3_stmt lookup;
    private readonly long fromSequence;
    private readonly Dictionary<long, AuditLookupEntry> entries = [];
    private readonly AuditLookupEntry?[] lastEntry = new AuditLookupEntry?[AuditRowBatch.LookupFields];
    private string previous;
    private bool done;

    // Where each looked-up field and text column of the batch is in the statement.
    private static readonly int[] LookupColumns = [FirstLookup, FirstLookup + 1, FirstLookup + 2, FirstLookup + 3, ChainId, PolicyVersionId];
    private static readonly int[] TextColumns = [FirstText, FirstText + 1, FirstText + 2, FirstText + 3, FirstText + 4, Reason, Details];

    private SqliteAuditRowCursor(SqlDialect dialect, sqlite3 database, sqlite3_stmt rows, sqlite3_stmt lookup, long fromSequence)
    {
        this.dialect = dialect;
        this.database = database;
        this.rows = rows;
        this.lookup = lookup;
        this.fromSequence = fromSequence;
        previous = fromSequence <= 1 ? AuditHashing.GenesisHash : string.Empty;
    }

    public static SqliteAuditRowCursor Open(SqlDialect dialect, SqliteConnection connection, long fromSequence)
    {
        var database = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        Check(dialect, database, raw.sqlite3_prepare_v2(
            database,
            "SELECT seq, time_ms, type_id, actor_id, subject_id, action_id, resource, decision, jti, task_id, request_id, chain_id, policy_version_id, reason, details, hash FROM audit_log WHERE seq >= ?1 ORDER BY seq",
            out var rows));
        sqlite3_stmt? lookup = null;
        try
        {
            Check(dialect, database, raw.sqlite3_prepare_v2(database, "SELECT value FROM audit_strings WHERE id = ?1", out lookup));
            // The row before the walk is read too: its stored hash is the first event's previous hash.
            Check(dialect, database, raw.sqlite3_bind_int64(rows, 1, fromSequence - 1));
            return new SqliteAuditRowCursor(dialect, database, rows, lookup, fromSequence);
        }
        catch
        {
            lookup?.Dispose();
            rows.Dispose();
            throw;
        }
    }

    public ValueTask<bool> ReadAsync(AuditRowBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        batch.Clear();
        batch.FirstPreviousHash = previous;
        while (!done && !batch.IsFull)
        {
            var rc = raw.sqlite3_step(rows);
            if (rc == raw.SQLITE_DONE)
            {
                done = true;
                break;
            }

            if (rc != raw.SQLITE_ROW)
            {
                Check(dialect, database, rc);
            }

            var sequence = raw.sqlite3_column_int64(rows, Seq);
            if (sequence < fromSequence)
            {
                previous = Convert.ToHexStringLower(StoredHash());
                batch.FirstPreviousHash = previous;
                continue;
            }

            batch.BeginRow(sequence, raw.sqlite3_column_int64(rows, Time));
            for (var field = 0; field < AuditRowBatch.LookupFields; field++)
            {
                // An id is never 0 unless the column is NULL (or not a number): only then is its type asked for.
                var column = LookupColumns[field];
                var id = raw.sqlite3_column_int64(rows, column);
                if (id != 0 || raw.sqlite3_column_type(rows, column) != raw.SQLITE_NULL)
                {
                    batch.SetLookup(field, Entry(field, id));
                }
            }

            for (var field = 0; field < AuditRowBatch.TextFields; field++)
            {
                // For text SQLite returns its UTF-8 as is, for a number the text the driver would read; NULL and empty
                // text both come back empty, and only then is the type asked for.
                var column = TextColumns[field];
                var value = raw.sqlite3_column_blob(rows, column);
                if (!value.IsEmpty || raw.sqlite3_column_type(rows, column) != raw.SQLITE_NULL)
                {
                    batch.SetText(field, value);
                }
            }

            batch.SetHash(StoredHash());
            batch.EndRow();
        }

        if (batch.Count > 0)
        {
            previous = Convert.ToHexStringLower(batch.StoredHash(batch.Count - 1));
        }

        return ValueTask.FromResult(batch.Count > 0);
    }

    /// <summary>The stored hash: a BLOB, as the one-row read casts it (anything else fails there as here).</summary>
    private ReadOnlySpan<byte> StoredHash()
    {
        var type = raw.sqlite3_column_type(rows, Hash);
        return type == raw.SQLITE_BLOB
            ? raw.sqlite3_column_blob(rows, Hash)
            : throw new InvalidCastException($"The stored hash of an audit_log row is not a BLOB (SQLite type {type.ToString(CultureInfo.InvariantCulture)}).");
    }

    private AuditLookupEntry Entry(int field, long id)
    {
        // Consecutive rows mostly share their type, actor, action and policy version.
        if (lastEntry[field] is { } last && last.Id == id)
        {
            return last;
        }

        if (!entries.TryGetValue(id, out var entry))
        {
            Check(dialect, database, raw.sqlite3_bind_int64(lookup, 1, id));
            try
            {
                var rc = raw.sqlite3_step(lookup);
                if (rc is not raw.SQLITE_ROW and not raw.SQLITE_DONE)
                {
                    Check(dialect, database, rc);
                }

                var value = rc == raw.SQLITE_ROW && raw.sqlite3_column_type(lookup, 0) != raw.SQLITE_NULL
                    ? raw.sqlite3_column_text(lookup, 0).utf8_to_string()
                    : null;
                entry = new AuditLookupEntry(id, value);
                entries[id] = entry;
            }
            finally
            {
                raw.sqlite3_reset(lookup);
            }
        }

        lastEntry[field] = entry;
        return entry;
    }

    public ValueTask DisposeAsync()
    {
        lookup.Dispose();
        rows.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Check(SqlDialect dialect, sqlite3 database, int rc) => SqliteBulkRowWriter.Check(dialect, database, rc);
}
