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
}
