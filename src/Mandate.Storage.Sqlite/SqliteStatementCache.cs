using SQLitePCL;

namespace Mandate.Storage.Sqlite;

/// <summary>
/// The bulk-insert statements one native SQLite connection keeps prepared between sessions, by SQL text. The decision
/// ledger's writer opens a <see cref="SqliteBulkRowWriter"/> for every group-commit batch, and with one caller deciding
/// at a time every decision is a batch: preparing the ledger's 16-column <c>INSERT</c> each time cost about as much CPU
/// as stepping it. A statement is taken out while a writer uses it (two writers on one connection never share one) and
/// given back reset with its bindings cleared; SQLite re-prepares a kept statement by itself after a schema change.
/// A pooled connection is used by one session at a time; the lock is for <see cref="Clear"/> at the store's disposal.
/// </summary>
internal sealed class SqliteStatementCache
{
    // A few shapes are bulk-written (the ledger, findings), and the four transaction statements
    // (SqliteStatementTransaction); past this many a statement is finalized rather than kept.
    private const int MaxStatements = 12;

    private readonly Dictionary<string, sqlite3_stmt> statements = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>The transaction a session has begun on this connection and not completed yet, if any.</summary>
    public SqliteStatementTransaction? OpenTransaction { get; set; }

    /// <summary>The kept statement for <paramref name="sql"/>, now the caller's; null when none is kept.</summary>
    public sqlite3_stmt? Take(string sql)
    {
        lock (gate)
        {
            return statements.Remove(sql, out var statement) ? statement : null;
        }
    }

    /// <summary>Keeps a reset statement for the next writer; false when it is not kept (the caller finalizes it).</summary>
    public bool Return(string sql, sqlite3_stmt statement)
    {
        lock (gate)
        {
            return statements.Count < MaxStatements && statements.TryAdd(sql, statement);
        }
    }

    /// <summary>Finalizes every kept statement.</summary>
    public void Clear()
    {
        lock (gate)
        {
            foreach (var statement in statements.Values)
            {
                statement.Dispose();
            }

            statements.Clear();
        }
    }
}
