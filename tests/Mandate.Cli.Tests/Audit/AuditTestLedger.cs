using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Cli.Tests.Audit;

/// <summary>A SQLite ledger in a fresh directory, filled through the real audit trail, for the CLI to read offline.</summary>
internal static class AuditTestLedger
{
    public static async Task<(string Store, string Directory)> CreateAsync(IEnumerable<AuditEvent> events, bool checkpoint = false)
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "ledger.db");
        await using (var store = new SqliteStore(path))
        {
            await store.MigrateAsync(ct);
            await using var services = new ServiceCollection().AddSingleton<IMandateStore>(store).AddMandate().AddAudit(o => o.KeyEncryptionKeyPath = Path.Combine(directory, "kek")).Services.BuildServiceProvider();
            var trail = services.GetRequiredService<IAuditTrail>();
            foreach (var e in events)
            {
                await trail.AppendAsync(e, ct);
            }

            if (checkpoint)
            {
                await services.GetRequiredService<AuditCheckpointer>().CheckpointAsync(ct);
            }
        }

        return ("sqlite:" + path, directory);
    }
}
