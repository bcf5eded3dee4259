using System.Data.Common;
using System.Reflection;
using Mandate.Core.Storage;
using Mandate.Storage.Postgres;
using Npgsql;

namespace Mandate.Storage.Tests.Audit;

public sealed class PostgresAuditLayoutMigrationTests : AuditLayoutMigrationTests
{
    private string connectionString = string.Empty;

    private protected override Assembly MigrationAssembly => typeof(PostgresStore).Assembly;

    private protected override async Task CreateEmptyDatabaseAsync() => connectionString = await PostgresTestDatabase.CreateSchemaAsync();

    private protected override async Task<DbConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        return connection;
    }

    private protected override IMandateStore OpenStore() => new PostgresStore(connectionString);

    private protected override async Task<List<string>> IndexesAsync(DbConnection connection, params string[] names)
    {
        await using var command = new NpgsqlCommand("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ANY(@names) ORDER BY indexname", (NpgsqlConnection)connection);
        command.Parameters.AddWithValue("names", names);
        var found = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }

    private protected override async Task AssertTimeIndexAsync(DbConnection connection)
    {
        // A BRIN index: a summary per block range, about a byte an event.
        await using var command = new NpgsqlCommand(
            "SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam WHERE c.relname = 'audit_log_time' AND c.relnamespace = current_schema()::regnamespace",
            (NpgsqlConnection)connection);
        Assert.Equal("brin", await command.ExecuteScalarAsync(Ct));
    }
}
