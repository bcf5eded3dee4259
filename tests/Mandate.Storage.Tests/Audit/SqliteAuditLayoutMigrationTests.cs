using System.Data.Common;
using System.Reflection;
using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Mandate.Storage.Tests.Audit;

public sealed class SqliteAuditLayoutMigrationTests : AuditLayoutMigrationTests
{
    private readonly string path = TempPaths.NewFile("audit-layout", ".db");

    private protected override Assembly MigrationAssembly => typeof(SqliteStore).Assembly;

    private protected override Task CreateEmptyDatabaseAsync() => Task.CompletedTask;

    private protected override async Task<DbConnection> OpenAsync()
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(Ct);
        return connection;
    }

    private protected override IMandateStore OpenStore() => new SqliteStore(path);

    private protected override async Task<List<string>> IndexesAsync(DbConnection connection, params string[] names)
    {
        var found = new List<string>();
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            await using var command = new SqliteCommand("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = @name", (SqliteConnection)connection);
            command.Parameters.AddWithValue("@name", name);
            if (Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture) == 1)
            {
                found.Add(name);
            }
        }

        return found;
    }

    private protected override async Task AssertTimeIndexAsync(DbConnection connection)
    {
        // SQLite has no BRIN: the time index stays a B-tree.
        Assert.Equal(["audit_log_time"], await IndexesAsync(connection, "audit_log_time"));
    }
}
