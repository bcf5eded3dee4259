using Mandate.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace Mandate.Storage.Sqlite;

/// <summary>The embedded store: one SQLite file in WAL mode.</summary>
internal sealed class SqliteStore(string path, TimeSpan? busyTimeout = null) : RelationalStore(new SqliteDialect(path, busyTimeout))
{
    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them so the file can be moved or deleted.
        SqliteConnection.ClearAllPools();
        return base.DisposeAsync();
    }
}
