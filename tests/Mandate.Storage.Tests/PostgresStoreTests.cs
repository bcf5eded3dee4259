using Mandate.Core.Storage;
using Mandate.Storage.Postgres;

namespace Mandate.Storage.Tests;

public sealed class PostgresStoreTests : StoreContractTests
{
    private protected override async Task<IMandateStore> CreateStoreAsync() =>
        new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync());

    [Fact]
    public async Task Check_ShouldReportUnreachable_WhenNoServerListens()
    {
        await using var store = new PostgresStore("Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2");
        var status = await store.CheckAsync(TestContext.Current.CancellationToken);
        Assert.False(status.Ready);
        Assert.Contains("PostgreSQL", status.Problem, StringComparison.Ordinal);
    }
}
