using Mandate.Core.Storage;
using Mandate.Storage.Postgres;
using Npgsql;

namespace Mandate.Storage.Tests.Audit;

public sealed class PostgresAuditLedgerTests : AuditLedgerContractTests
{
    private string connectionString = string.Empty;

    private protected override async Task<IMandateStore> CreateStoreAsync()
    {
        connectionString = await PostgresTestDatabase.CreateSchemaAsync();
        return new PostgresStore(connectionString);
    }

    protected override async Task ExecuteRawAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    protected override string Bytes(string hex) => $"decode('{hex}', 'hex')";
}
