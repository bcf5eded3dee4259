using Mandate.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace Mandate.Storage.Sqlite;

/// <summary>The embedded store: one SQLite file in WAL mode.</summary>
internal sealed class SqliteStore : RelationalStore
{
    private readonly SqliteDialect sqlite;

    public SqliteStore(string path, TimeSpan? busyTimeout = null)
        : this(new SqliteDialect(path, busyTimeout))
    {
    }

    private SqliteStore(SqliteDialect dialect)
        : base(dialect)
    {
        sqlite = dialect;
    }

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them so the file can be moved or deleted (a statement still
        // prepared on a connection would keep it open after the pool closes it).
        sqlite.ReleaseStatements();
        SqliteConnection.ClearAllPools();
        return base.DisposeAsync();
    }
}
