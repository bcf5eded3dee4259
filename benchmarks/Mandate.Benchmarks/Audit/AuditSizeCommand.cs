using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Storage.Relational;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Benchmarks.Audit;

/// <summary>
/// <c>audit-size [--events N]</c>: bytes stored per event (table and indexes; checkpoints included) for the chained
/// ledger and for the same rows unchained, on SQLite and, when configured, PostgreSQL.
/// </summary>
internal static class AuditSizeCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var events = DocsSmoke.Cap(args.Length == 2 && args[0] == "--events" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000, 1_000, "events", Console.Error);
        await output.WriteLineAsync("| store | chained bytes/event | plain bytes/event | ratio |");
        await output.WriteLineAsync("|---|---|---|---|");
        foreach (var kind in AuditBenchmarkStores.Available())
        {
            // Two stores, so each one's growth is only the rows under test.
            var (chainedStore, _) = await AuditBenchmarkStores.CreateAsync(kind);
            var (plainStore, _) = await AuditBenchmarkStores.CreateAsync(kind);
            await using (chainedStore)
            await using (plainStore)
            {
                var chainedBefore = await SizeAsync(chainedStore, kind, ["audit_log", "audit_strings", "audit_checkpoints"]);
                var plainBefore = await SizeAsync(plainStore, kind, ["audit_plain"]);
                var kek = Path.Combine(Path.GetTempPath(), "mandate-bench", Guid.NewGuid().ToString("N") + ".kek");
                await using var services = new ServiceCollection().AddSingleton(chainedStore).AddMandate().AddAudit(o => o.KeyEncryptionKeyPath = kek).Services.BuildServiceProvider();
                var trail = services.GetRequiredService<IAuditTrail>();
                var checkpointer = services.GetRequiredService<AuditCheckpointer>();
                await using (var plain = new PlainGroupCommitWriter(plainStore))
                {
                    for (var written = 0; written < events; written += 1000)
                    {
                        var count = Math.Min(1000, events - written);
                        await Task.WhenAll(Enumerable.Range(written, count).Select(i => trail.AppendAsync(AuditBenchmarkStores.SampleEvent(i), CancellationToken.None)));
                        await Task.WhenAll(Enumerable.Range(written, count).Select(i => plain.AppendAsync(AuditBenchmarkStores.SampleEvent(i))));
                        await checkpointer.CheckpointAsync(CancellationToken.None);
                    }
                }

                var chained = await SizeAsync(chainedStore, kind, ["audit_log", "audit_strings", "audit_checkpoints"]) - chainedBefore;
                var unchained = await SizeAsync(plainStore, kind, ["audit_plain"]) - plainBefore;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {kind} | {chained / (double)events:F0} | {unchained / (double)events:F0} | {chained / (double)unchained:F2} |"));
            }
        }

        return 0;
    }

    private static async Task<long> SizeAsync(IMandateStore store, string kind, string[] tables)
    {
        if (kind != "postgres")
        {
            return await SqliteFileSizeAsync(store);
        }

        await using var session = (RelationalSession)await store.BeginAsync(StoreIntent.Read, CancellationToken.None);
        var total = 0L;
        foreach (var table in tables)
        {
            total += Convert.ToInt64(await session.ScalarAsync($"SELECT pg_total_relation_size('{table}')", CancellationToken.None), CultureInfo.InvariantCulture);
        }

        return total;
    }

    /// <summary>A SQLite store's whole file after folding the WAL back in; the store holds nothing else that grows.</summary>
    internal static async Task<long> SqliteFileSizeAsync(IMandateStore store)
    {
        await using var write = (RelationalSession)await store.BeginAsync(StoreIntent.Read, CancellationToken.None);
        await write.CommitAsync(CancellationToken.None);
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(write.Connection.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await command.ExecuteNonQueryAsync();
        command.CommandText = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
