using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Mandate.Storage.Tests.Audit;

public sealed class SqliteAuditLedgerTests : AuditLedgerContractTests
{
    private readonly string path = TempPaths.NewFile("audit", ".db");

    private protected override Task<IMandateStore> CreateStoreAsync() => Task.FromResult<IMandateStore>(new SqliteStore(path));

    protected override async Task ExecuteRawAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    protected override string Bytes(string hex) => $"X'{hex}'";
}
