using System.Diagnostics;
using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server;
using Mandate.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mandate.Benchmarks.Audit;

/// <summary>
/// <c>ledger-scale [--events N] [--checkpoint-every C]</c>: a SQLite ledger of N decision events (default 1,000,000)
/// with a signed checkpoint every C events (default 1,000, the server's default), then:
/// <list type="bullet">
/// <item><c>audit verify</c> as the server and the CLI run it (<c>AuditStoreVerifier.VerifyAsync</c>: each event's own
/// checks in parallel, the links in order), against the comparator in the same run: the same verifier fed one event
/// at a time (how it ran before issue 21);</item>
/// <item>the start-up check from the last signed checkpoint (<c>VerifyFromLastCheckpointAsync</c>);</item>
/// <item>restart to <c>/healthz</c> and to <c>/readyz</c>: a real server (<c>MandateServer</c>, not demo) started on
/// that store, the time from the start of <c>MandateServer.CreateAsync</c> until each answers 200 on loopback.</item>
/// </list>
/// </summary>
internal static class LedgerScaleCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var events = 1_000_000;
        var checkpointEvery = 1_000;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--events":
                    events = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--checkpoint-every":
                    checkpointEvery = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    await Console.Error.WriteLineAsync("usage: ledger-scale [--events N] [--checkpoint-every C]");
                    return 2;
            }
        }

        events = DocsSmoke.Cap(events, 5_000, "events", Console.Error);
        var state = Path.Combine(Path.GetTempPath(), "mandate-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(state);
        var database = Path.Combine(state, "mandate.db");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ledger-scale: {events:N0} decision events, a checkpoint every {checkpointEvery:N0}, SQLite {database}"));

        var build = Stopwatch.StartNew();
        await using (var store = new SqliteStore(database))
        {
            await store.MigrateAsync(CancellationToken.None);
            await using var services = new ServiceCollection()
                .AddLogging()
                .AddSingleton<IMandateStore>(store)
                .AddMandate().AddAudit(o => o.KeyEncryptionKeyPath = Path.Combine(state, "audit-signing.kek"))
                .Services.BuildServiceProvider();
            var trail = services.GetRequiredService<IAuditTrail>();
            var checkpointer = services.GetRequiredService<AuditCheckpointer>();
            var batch = new AuditEvent[checkpointEvery];
            for (var written = 0; written < events; written += checkpointEvery)
            {
                var count = Math.Min(checkpointEvery, events - written);
                for (var i = 0; i < count; i++)
                {
                    batch[i] = LedgerAppendCommand.DecisionEvent(written + i);
                }

                await using (var session = await store.BeginAsync(StoreIntent.Write, CancellationToken.None))
                {
                    await trail.RecordManyAsync(session, new ArraySegment<AuditEvent>(batch, 0, count), CancellationToken.None);
                    await session.CommitAsync(CancellationToken.None);
                }

                await checkpointer.CheckpointAsync(CancellationToken.None);
            }
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"built in {build.Elapsed.TotalSeconds:F1} s; file {new FileInfo(database).Length / 1e6:F0} MB"));
        await output.WriteLineAsync();
        await output.WriteLineAsync("| step | seconds | events/s |");
        await output.WriteLineAsync("|---|---:|---:|");
        await using (var store = new SqliteStore(database))
        {
            var reading = Stopwatch.StartNew();
            var read = await ReadOnlyAsync(store);
            reading.Stop();
            await Row(output, "floor: read the rows only (no checks)", reading.Elapsed, read, true);

            var sequential = Stopwatch.StartNew();
            var one = await OneAtATimeAsync(store);
            sequential.Stop();
            await Row(output, "comparator: verify one event at a time (before issue 21)", sequential.Elapsed, one.Events, one.Verified);

            var parallel = Stopwatch.StartNew();
            var all = await AuditStoreVerifier.VerifyAsync(store, null, CancellationToken.None);
            parallel.Stop();
            await Row(output, "audit verify (parallel per-event checks, links in order)", parallel.Elapsed, all.Events, all.Verified);

            var tail = Stopwatch.StartNew();
            var fromCheckpoint = await AuditStoreVerifier.VerifyFromLastCheckpointAsync(store, CancellationToken.None);
            tail.Stop();
            await Row(output, "start-up check from the last signed checkpoint", tail.Elapsed, fromCheckpoint?.Events ?? 0, fromCheckpoint?.Verified ?? false);
        }

        var (healthz, readyz) = await RestartAsync(state);
        await output.WriteLineAsync();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"restart: /healthz after {healthz.TotalSeconds:F2} s, /readyz after {readyz.TotalSeconds:F2} s (from the start of MandateServer.CreateAsync)"));
        return 0;
    }

    private static async Task Row(TextWriter output, string step, TimeSpan elapsed, long events, bool verified) =>
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {step}{(verified ? string.Empty : " (DID NOT VERIFY)")} | {elapsed.TotalSeconds:F2} | {events / elapsed.TotalSeconds:N0} |"));

    /// <summary>The rows as verification reads them, nothing checked: how fast verification could go at best.</summary>
    private static async Task<long> ReadOnlyAsync(IMandateStore store)
    {
        await using var session = await store.BeginAsync(StoreIntent.Read, CancellationToken.None);
        var count = 0L;
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, CancellationToken.None))
        {
            count += record.Sequence > 0 ? 1 : 0;
        }

        return count;
    }

    /// <summary>The verifier fed one stored event at a time, with the checkpoints in between: the comparator.</summary>
    private static async Task<AuditVerificationResult> OneAtATimeAsync(IMandateStore store)
    {
        await using var session = await store.BeginAsync(StoreIntent.Read, CancellationToken.None);
        var repository = session.Get<IAuditRepository>();
        var checkpoints = await repository.ReadCheckpointsAsync(CancellationToken.None);
        var verifier = new AuditChainVerifier(await repository.GetPublicKeysAsync(CancellationToken.None));
        var next = 0;
        await foreach (var record in repository.ReadAsync(1, CancellationToken.None))
        {
            if (!verifier.AddStored(record, "event " + record.Sequence.ToString(CultureInfo.InvariantCulture)))
            {
                break;
            }

            while (next < checkpoints.Count && checkpoints[next].ToSequence <= record.Sequence)
            {
                var checkpoint = checkpoints[next++];
                verifier.AddCheckpoint(checkpoint, "checkpoint");
            }
        }

        return verifier.Complete();
    }

    private static async Task<(TimeSpan Healthz, TimeSpan Readyz)> RestartAsync(string state)
    {
        var start = Stopwatch.StartNew();
        TimeSpan? healthz = null;
        TimeSpan? readyz = null;
        var options = new MandateServerOptions { StateDirectory = state, Urls = "http://127.0.0.1:0" };
        var app = await MandateServer.CreateAsync(options, b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await using (app)
        {
            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var client = new HttpClient { BaseAddress = address };
            while ((healthz is null || readyz is null) && start.Elapsed < TimeSpan.FromMinutes(5))
            {
                if (healthz is null && (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).IsSuccessStatusCode)
                {
                    healthz = start.Elapsed;
                }

                if (readyz is null && (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).IsSuccessStatusCode)
                {
                    readyz = start.Elapsed;
                }

                await Task.Delay(10);
            }

            await app.StopAsync();
        }

        return (healthz ?? TimeSpan.MaxValue, readyz ?? TimeSpan.MaxValue);
    }
}
