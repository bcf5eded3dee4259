using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mandate.Core.Audit;
using Mandate.Core.Governance.Findings;
using Mandate.Core.Governance.Inventory;
using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Benchmarks.Governance;

/// <summary>
/// <c>inventory-import [--identities N] [--comparator M]</c>: generates an IAM credential report of N machine users
/// (plus a human per hundred, skipped) and times its import through the Core importer into a fresh SQLite store:
/// the first import (every identity added), a re-import (every identity unchanged) and, as the comparator in the same
/// run, the first import of M identities one row per transaction; then the findings recompute over that inventory
/// (first: every finding opened; again: none changed). Targets: import 100,000 identities in under 60 s, evaluate them
/// in under 10 s.
/// </summary>
internal static class InventoryImportCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        // A docs smoke run does the same work on a few hundred identities.
        var identities = DocsSmoke.Size(Option(args, "--identities", 100_000), Math.Min(Option(args, "--identities", 100_000), 300));
        var comparator = DocsSmoke.Size(Option(args, "--comparator", Math.Min(identities, 5_000)), Math.Min(Option(args, "--comparator", 5_000), 30));
        var report = Encoding.UTF8.GetBytes(GenerateReport(identities, DateTimeOffset.UtcNow));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"credential report: {identities} machine users, {report.Length / 1024.0 / 1024.0:F1} MiB"));
        await output.WriteLineAsync("| run | identities | batch | seconds | identities/s |");
        await output.WriteLineAsync("|---|---|---|---|---|");

        await using (var importer = await ImporterAsync())
        {
            await TimeAsync(output, "first import", importer.Importer, report, identities, InventoryImporter.BatchSize);
            await TimeAsync(output, "re-import (unchanged)", importer.Importer, report, identities, InventoryImporter.BatchSize);

            // Findings over the same inventory: the first recompute opens every finding, the second changes none.
            var findings = importer.Services.GetRequiredService<FindingService>();
            foreach (var run in new[] { "findings: first recompute", "findings: recompute (unchanged)" })
            {
                var clock = Stopwatch.StartNew();
                var result = await findings.RecomputeAsync("bench", null, CancellationToken.None);
                clock.Stop();
                if (run.EndsWith("(unchanged)", StringComparison.Ordinal) && result.Opened + result.Reopened + result.Resolved != 0)
                {
                    throw new InvalidOperationException($"A recompute over an unchanged inventory changed findings: {result.Opened} opened, {result.Reopened} reopened, {result.Resolved} resolved.");
                }

                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {run} ({result.Findings} findings) | {result.Identities} | - | {clock.Elapsed.TotalSeconds:F2} | {result.Identities / clock.Elapsed.TotalSeconds:F0} |"));
            }
        }

        await using (var importer = await ImporterAsync())
        {
            var small = Encoding.UTF8.GetBytes(GenerateReport(comparator, DateTimeOffset.UtcNow));
            await TimeAsync(output, "comparator: one row per transaction", importer.Importer, small, comparator, 1);
        }

        return 0;
    }

    /// <summary>A credential report as AWS writes it: header, root, then users with one or two access keys.</summary>
    internal static string GenerateReport(int users, DateTimeOffset now)
    {
        static string T(DateTimeOffset t) => t.ToString("yyyy-MM-ddTHH:mm:ss+00:00", CultureInfo.InvariantCulture);
        var text = new StringBuilder(users * 330);
        text.Append("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n");
        text.Append(CultureInfo.InvariantCulture, $"<root_account>,arn:aws:iam::123456789012:root,{T(now.AddDays(-2000))},not_supported,{T(now.AddDays(-1))},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n");
        for (var i = 0; i < users; i++)
        {
            if (i % 100 == 99)
            {
                text.Append(CultureInfo.InvariantCulture, $"person-{i},arn:aws:iam::123456789012:user/people/person-{i},{T(now.AddDays(-900))},true,{T(now.AddDays(-1))},{T(now.AddDays(-30))},N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n");
            }

            var created = now.AddDays(-(i % 1500) - 10);
            var rotated = now.AddDays(-(i % 400) - 1);
            var used = i % 7 == 0 ? "N/A" : T(now.AddDays(-(i % 200)));
            var second = i % 3 == 0
                ? $"true,{T(now.AddDays(-(i % 90)))},{T(now.AddDays(-1))},us-east-1,sts"
                : "false,N/A,N/A,N/A,N/A";
            text.Append(CultureInfo.InvariantCulture, $"svc-{i:D6},arn:aws:iam::123456789012:user/machines/svc-{i:D6},{T(created)},false,N/A,N/A,N/A,false,true,{T(rotated)},{used},{(used == "N/A" ? "N/A" : "eu-west-1")},{(used == "N/A" ? "N/A" : "s3")},{second},false,N/A,false,N/A\n");
        }

        return text.ToString();
    }

    private static async Task TimeAsync(TextWriter output, string run, InventoryImporter importer, byte[] report, int identities, int batch)
    {
        var clock = Stopwatch.StartNew();
        var result = await importer.ImportAsync(
            new InventoryImportRequest { Format = InventoryFormat.AwsCredentialReport, Content = report, FileName = "bench.csv", BatchSize = batch },
            "bench",
            null,
            CancellationToken.None);
        clock.Stop();
        if (result.Errors.Count > 0 || result.Added + result.Unchanged != identities)
        {
            throw new InvalidOperationException($"The generated report did not import whole: {result.Errors.Count} errors, {result.Added} added, {result.Unchanged} unchanged.");
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {run} | {identities} | {batch} | {clock.Elapsed.TotalSeconds:F2} | {identities / clock.Elapsed.TotalSeconds:F0} |"));
    }

    private static async Task<BenchImporter> ImporterAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mandate-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var store = new SqliteStore(Path.Combine(directory, "inventory.db"));
        await store.MigrateAsync(CancellationToken.None);
        var services = new ServiceCollection()
            .AddSingleton<IMandateStore>(store)
            .AddSingleton(TimeProvider.System)
            .AddMandate().AddAudit(o => o.KeyEncryptionKeyPath = Path.Combine(directory, "kek")).AddGovernance()
            .Services.BuildServiceProvider();
        return new BenchImporter(services, services.GetRequiredService<InventoryImporter>(), directory);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed class BenchImporter(ServiceProvider services, InventoryImporter importer, string directory) : IAsyncDisposable
    {
        public InventoryImporter Importer => importer;

        public ServiceProvider Services => services;

        public async ValueTask DisposeAsync()
        {
            await services.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
