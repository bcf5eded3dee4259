using System.Diagnostics;
using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Benchmarks.Audit;

/// <summary>
/// <c>ledger-scale [--events N] [--checkpoint-every C]</c>: a SQLite ledger of N decision events (default 1,000,000)
/// with a signed checkpoint every C events (default 1,000, the server's default), then:
/// <list type="bullet">
/// <item><c>audit verify</c> as the server and the CLI run it (<c>AuditStoreVerifier.VerifyAsync</c>: each event's own
/// checks in parallel, the links in order), against the comparator in the same run: the same verifier fed one event
/// at a time (how it ran before issue 21);</item>
/// <item>the start-up check from the last signed checkpoint (<c>VerifyFromLastCheckpointAsync</c>);</item>
/// <item>restart to <c>/healthz</c> and to <c>/readyz</c>: the real <c>mandate serve</c> (its own process, not demo)
/// started on that store, the time from the process start until each answers 200 on loopback.</item>
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
        // CPU time beside wall time: on a shared machine the wall time of a parallel step depends on what else runs, the
        // CPU it spends much less.
        await output.WriteLineAsync("| step | seconds | events/s | CPU seconds | CPU µs/event |");
        await output.WriteLineAsync("|---|---:|---:|---:|---:|");
        await using (var store = new SqliteStore(database))
        {
            var read = await TimeAsync(() => ReadOnlyAsync(store));
            await Row(output, "floor: read the rows only (no checks), as verification reads them", read, read.Result, true);

            var records = await TimeAsync(() => ReadRecordsAsync(store));
            await Row(output, "read the rows as records (no checks), as the comparator reads them", records, records.Result, true);

            var one = await TimeAsync(() => OneAtATimeAsync(store));
            await Row(output, "comparator: verify one event at a time (before issue 21)", one, one.Result.Events, one.Result.Verified);

            var all = await TimeAsync(() => AuditStoreVerifier.VerifyAsync(store, null, CancellationToken.None));
            await Row(output, "audit verify (batches checked on every core, links in order)", all, all.Result.Events, all.Result.Verified);

            var tail = await TimeAsync(() => AuditStoreVerifier.VerifyFromLastCheckpointAsync(store, CancellationToken.None));
            await Row(output, "start-up check from the last signed checkpoint", tail, tail.Result?.Events ?? 0, tail.Result?.Verified ?? false);
        }

        var (healthz, readyz) = await RestartAsync(state, database);
        await output.WriteLineAsync();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"restart of `mandate serve` (its own process): /healthz after {healthz.TotalSeconds:F2} s, /readyz after {readyz.TotalSeconds:F2} s (from the process start; the runtime's own start-up included)"));
        return 0;
    }

    private static async Task Row<T>(TextWriter output, string step, Timed<T> timed, long events, bool verified) =>
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"| {step}{(verified ? string.Empty : " (DID NOT VERIFY)")} | {timed.Wall.TotalSeconds:F2} | {events / timed.Wall.TotalSeconds:N0} | {timed.Cpu.TotalSeconds:F2} | {timed.Cpu.TotalMicroseconds / Math.Max(1, events):F2} |"));

    private sealed record Timed<T>(T Result, TimeSpan Wall, TimeSpan Cpu);

    private static async Task<Timed<T>> TimeAsync<T>(Func<Task<T>> step)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var result = await step();
        wall.Stop();
        process.Refresh();
        return new Timed<T>(result, wall.Elapsed, process.TotalProcessorTime - cpu);
    }

    /// <summary>The rows as verification reads them (the store's row cursor, in batches), nothing checked: how fast
    /// verification could go at best.</summary>
    private static async Task<long> ReadOnlyAsync(IMandateStore store)
    {
        await using var session = await store.BeginAsync(StoreIntent.Read, CancellationToken.None);
        var count = 0L;
        var batch = new AuditRowBatch(1024);
        await using var cursor = await session.Get<IAuditRepository>().OpenRowCursorAsync(1, CancellationToken.None);
        while (await cursor.ReadAsync(batch, CancellationToken.None))
        {
            count += batch.Count;
        }

        return count;
    }

    /// <summary>The records one at a time (<c>IAuditRepository.ReadAsync</c>, what exports and proofs read), nothing
    /// checked.</summary>
    private static async Task<long> ReadRecordsAsync(IMandateStore store)
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

    /// <summary>
    /// Starts the real <c>mandate serve</c> (its own process, as an operator runs it) on the ledger and times, from the
    /// process start, the first 200 of <c>/healthz</c> and of <c>/readyz</c>; polls every 10 ms, stops the process.
    /// </summary>
    private static async Task<(TimeSpan Healthz, TimeSpan Readyz)> RestartAsync(string state, string database)
    {
        var port = Mandate.Tests.Shared.LoopbackPorts.BelowEphemeralRange();
        var address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "mandate.dll"), "serve", "--urls", address.ToString().TrimEnd('/'), "--state", state, "--store", "sqlite:" + database })
        {
            start.ArgumentList.Add(argument);
        }

        TimeSpan? healthz = null;
        TimeSpan? readyz = null;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet mandate.dll");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
            while ((healthz is null || readyz is null) && clock.Elapsed < TimeSpan.FromMinutes(5) && !process.HasExited)
            {
                healthz ??= await AnswersAsync(client, "/healthz") ? clock.Elapsed : null;
                readyz ??= await AnswersAsync(client, "/readyz") ? clock.Elapsed : null;
                await Task.Delay(10);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }

        return (healthz ?? TimeSpan.MaxValue, readyz ?? TimeSpan.MaxValue);
    }

    private static async Task<bool> AnswersAsync(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
