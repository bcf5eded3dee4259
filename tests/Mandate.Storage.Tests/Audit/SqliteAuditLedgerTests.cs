using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

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

    [Fact]
    public async Task DisposedStore_ShouldHoldItsFileNoLonger_AfterTheLedgerKeptItsInsertPrepared()
    {
        // The ledger's insert stays prepared on its connection between batches; a connection closed with a statement
        // still prepared stays open until the statement is finalized, so the store must finalize them when disposed.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var own = TempPaths.NewFile("audit-kept", ".db");
        var store = new SqliteStore(own);
        await store.MigrateAsync(Ct);
        var kek = TempPaths.NewFile("audit-kept", ".kek");
        var provider = new ServiceCollection()
            .AddSingleton<IMandateStore>(store)
            .AddMandate().AddAudit(o => o.KeyEncryptionKeyPath = kek)
            .Services.BuildServiceProvider();
        await using (provider)
        {
            var trail = provider.GetRequiredService<IAuditTrail>();
            for (var i = 0; i < 3; i++)
            {
                await trail.AppendAsync(new AuditEvent { Type = "kept.statement", Subject = $"spiffe://t/{i}" }, Ct);
            }
        }

        Assert.NotEmpty(OpenFiles(own));
        await store.DisposeAsync();
        Assert.Empty(OpenFiles(own));
    }

    /// <summary>This process's open file descriptors on the database file.</summary>
    private static List<string> OpenFiles(string database)
    {
        var full = Path.GetFullPath(database);
        var open = new List<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && string.Equals(target, full, StringComparison.Ordinal))
                {
                    open.Add(fd);
                }
            }
            catch (IOException)
            {
                // The descriptor closed while the directory was read.
            }
        }

        return open;
    }
}
