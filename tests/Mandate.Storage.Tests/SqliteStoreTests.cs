using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;

namespace Mandate.Storage.Tests;

public sealed class SqliteStoreTests : StoreContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new SqliteStore(TempPaths.NewFile("store", ".db")));

    [Fact]
    public async Task Migrate_ShouldRefuse_AFileThatIsNotADatabase_WithoutTouchingIt()
    {
        var path = TempPaths.NewFile("garbage", ".db");
        var garbage = "this is not a database, it is a text file that must survive"u8.ToArray();
        await File.WriteAllBytesAsync(path, garbage, TestContext.Current.CancellationToken);
        await using var store = new SqliteStore(path);

        var error = await Assert.ThrowsAsync<StoreException>(() => store.MigrateAsync(TestContext.Current.CancellationToken));

        Assert.Contains("not a SQLite database", error.Message, StringComparison.Ordinal);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Check_ShouldReportNotReady_BeforeMigration()
    {
        await using var store = new SqliteStore(TempPaths.NewFile("fresh", ".db"));
        var status = await store.CheckAsync(TestContext.Current.CancellationToken);
        Assert.False(status.Ready);
    }
}
