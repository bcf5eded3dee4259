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
}
