using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Decisions;
using Mandate.Core.Detection;
using Mandate.Core.Storage;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mandate.Benchmarks.Detection;

/// <summary>
/// <c>detection [--seeds S,S…|none] [--identities N] [--hours H] [--attacks A] [--probes P] [--load R]</c>: the detection
/// engine measured on labelled synthetic traces (<see cref="DetectionTraceGenerator"/>), in a real server on SQLite.
/// <list type="number">
/// <item>Accuracy: each seed's trace goes through the engine with its default rules (unchanged by this benchmark);
/// precision and recall per rule against the labels. Target ≥ 0.95 each.</item>
/// <item>Throughput: the same run's events per second and per CPU-second (the engine commits its state and alerts
/// every <c>--batch</c> records, by default the live loop's largest batch); the comparator is the same trace through an engine with every rule
/// switched off (reading, batching and committing only). Target ≥ 50,000 events/s per core.</item>
/// <item>Latency: a live server with the detection loop streaming its ledger under a steady background load of R
/// decisions/s; P probes each append a revoked credential's reuse and wait until its alert is readable. Event-to-alert
/// p99 target &lt; 100 ms; the comparator is the append's own acknowledgement time in the same run.</item>
/// </list>
/// </summary>
internal static class DetectionBenchCommand
{
    private static int batchSize;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        // --seeds none: the latency part alone.
        var seeds = (Text(args, "--seeds", null) ?? DocsSmoke.Size("101,202,303", "101")).Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s != "none").Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var identities = DocsSmoke.Cap(Number(args, "--identities", 200), 24, "identities", Console.Error);
        var hours = Math.Max(Number(args, "--hours", 26), (int)DetectionTraceGenerator.MinimumDuration.TotalHours);
        var attacks = DocsSmoke.Cap(Number(args, "--attacks", 20), 2, "attacks per rule", Console.Error);
        var probes = DocsSmoke.Cap(Number(args, "--probes", 200), 5, "probes", Console.Error);
        batchSize = Number(args, "--batch", new DetectionOptions().BatchSize);
        var load = DocsSmoke.Cap(Number(args, "--load", 2000), 200, "background decisions/s", Console.Error);

        var scores = new List<DetectionScore>();
        var throughput = new List<string>();
        foreach (var seed in seeds)
        {
            // Ends on the hour, so a seed gives the same trace (only shifted by whole hours) whenever it runs.
            var now = DateTimeOffset.UtcNow;
            var end = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerHour), TimeSpan.Zero);
            var trace = DetectionTraceGenerator.Generate(seed, identities, TimeSpan.FromHours(hours), attacks, end);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"seed {seed}: {trace.Records.Count} events, {trace.Identities} identities, {trace.Attacks.Count} attacks over {hours} h"));
            var rulesOn = await RunEngineAsync(trace, rulesOn: true);
            var rulesOff = await RunEngineAsync(trace, rulesOn: false);
            scores.AddRange(DetectionScore.Compute(trace.Attacks, rulesOn.Alerts));
            if (args.Contains("--explain"))
            {
                await ExplainAsync(Console.Error, trace, rulesOn.Alerts);
            }

            throughput.Add(Row(seed, "engine, default rules", trace.Records.Count, rulesOn, rulesOff));
            throughput.Add(Row(seed, "comparator: engine, every rule off", trace.Records.Count, rulesOff, rulesOff));
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync("| rule | attacks injected | found | alerts | right alerts | precision | recall |");
        await output.WriteLineAsync("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var rule in scores.GroupBy(s => s.Rule).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var total = new DetectionScore(rule.Key, rule.Sum(s => s.Injected), rule.Sum(s => s.Found), rule.Sum(s => s.Alerts), rule.Sum(s => s.RightAlerts));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| {total.Rule} | {total.Injected} | {total.Found} | {total.Alerts} | {total.RightAlerts} | {total.Precision:F3} | {total.Recall:F3} |"));
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync("| seed | run | events | seconds | events/s | CPU seconds | events per CPU-second | ratio to comparator (events/s) |");
        await output.WriteLineAsync("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in throughput)
        {
            await output.WriteLineAsync(row);
        }

        await output.WriteLineAsync();
        await MeasureLatencyAsync(output, probes, load);
        return 0;
    }

    /// <summary>Every wrong alert and every attack not found, with what the trace holds around it (for tuning on a seed).</summary>
    private static async Task ExplainAsync(TextWriter error, DetectionTrace trace, IReadOnlyList<DetectionAlert> alerts)
    {
        foreach (var (attack, alert) in DetectionScore.Mistakes(trace.Attacks, alerts))
        {
            await error.WriteLineAsync(alert is null
                ? string.Create(CultureInfo.InvariantCulture, $"missed: {attack!.Rule} on {attack.Identity} at {attack.Start:O}..{attack.End:O}")
                : string.Create(CultureInfo.InvariantCulture, $"wrong alert: {alert.Rule} on {alert.Identity} at {alert.Time:O}: {alert.Summary}; attacks on it: {string.Join(", ", trace.Attacks.Where(a => a.Identity == alert.Identity).Select(a => $"{a.Rule} {a.Start:HH:mm:ss}..{a.End:HH:mm:ss}"))}"));
        }
    }

    private static string Row(int seed, string run, int events, EngineRun measured, EngineRun comparator) => string.Create(
        CultureInfo.InvariantCulture,
        $"| {seed} | {run} | {events} | {measured.Wall.TotalSeconds:F2} | {events / measured.Wall.TotalSeconds:F0} | {measured.Cpu.TotalSeconds:F2} | {events / measured.Cpu.TotalSeconds:F0} | {comparator.Wall / measured.Wall:F2} |");

    /// <summary>The trace through the engine of a fresh server whose own detection loop is off (this drives it).</summary>
    private static async Task<EngineRun> RunEngineAsync(DetectionTrace trace, bool rulesOn)
    {
        var settings = new Dictionary<string, string> { ["Mandate:Detection:Enabled"] = "false" };
        if (!rulesOn)
        {
            foreach (var rule in DetectionRuleSettings.Defaults.Keys)
            {
                settings[$"Mandate:Detection:Rules:{rule}:Enabled"] = "false";
            }
        }

        await using var server = await BenchServer.StartAsync(settings);
        var engine = server.Services.GetRequiredService<DetectionEngine>();
        await engine.LoadAsync(CancellationToken.None);
        var records = trace.Records;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var offset = 0; offset < records.Count; offset += batchSize)
        {
            var batch = new AuditRecord[Math.Min(batchSize, records.Count - offset)];
            for (var i = 0; i < batch.Length; i++)
            {
                // Sequences continue the engine's cursor (its ledger already holds the server's own start-up events).
                var record = records[offset + i];
                batch[i] = record with { Sequence = engine.Cursor + 1 + i };
            }

            if (!await engine.ProcessAsync(batch, CancellationToken.None))
            {
                throw new InvalidOperationException("The engine's cursor moved under the benchmark.");
            }
        }

        clock.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        return new EngineRun(clock.Elapsed, cpu, await ReadAlertsAsync(server.Services));
    }

    private static async Task<IReadOnlyList<DetectionAlert>> ReadAlertsAsync(IServiceProvider services)
    {
        var alerts = new List<DetectionAlert>();
        var store = services.GetRequiredService<IMandateStore>();
        await using var session = await store.BeginAsync(StoreIntent.Read, CancellationToken.None);
        var repository = session.Get<IDetectionRepository>();
        while (true)
        {
            var page = await repository.QueryAlertsAsync(new AlertQuery { AfterSequence = alerts.Count == 0 ? 0 : alerts[^1].Sequence, Limit = AlertQuery.MaxLimit }, CancellationToken.None);
            alerts.AddRange(page);
            if (page.Count < AlertQuery.MaxLimit)
            {
                return alerts;
            }
        }
    }

    private static async Task MeasureLatencyAsync(TextWriter output, int probes, int load)
    {
        await using var server = await BenchServer.StartAsync(new Dictionary<string, string>());
        var services = server.Services;
        var trail = services.GetRequiredService<IAuditTrail>();
        var queue = services.GetRequiredService<DecisionAuditQueue>();
        var signal = services.GetRequiredService<AlertSignal>();
        var store = services.GetRequiredService<IMandateStore>();
        using var stop = new CancellationTokenSource();
        var enqueued = new StrongBox<long>();
        var background = Task.Run(() => BackgroundLoadAsync(queue, load, enqueued, stop.Token));
        long decisionsBefore = 0;
        try
        {
            // Warm-up probes (JIT, pages) are not counted.
            var warmUp = DocsSmoke.Size(20, 2);
            var appended = new double[probes];
            var alerted = new double[probes];
            for (var i = -warmUp; i < probes; i++)
            {
                var identity = "spiffe://bench.mandate.local/svc/probe-" + (i + warmUp).ToString(CultureInfo.InvariantCulture);
                var started = Stopwatch.GetTimestamp();
                await trail.AppendAsync(
                    new AuditEvent
                    {
                        Type = TokenReuseDetector.EventType,
                        Actor = identity,
                        Subject = identity,
                        Action = "authzen",
                        Decision = "deny",
                        CredentialId = "jti-probe-" + Guid.NewGuid().ToString("N"),
                        Reason = "a revoked credential was presented again",
                        Details = new Dictionary<string, string> { ["state"] = "revoked", ["source"] = "authzen:198.51.100.9" },
                    },
                    CancellationToken.None);
                var acknowledged = Stopwatch.GetTimestamp();
                await WaitForAlertAsync(store, signal, identity);
                var seen = Stopwatch.GetTimestamp();
                if (i >= 0)
                {
                    appended[i] = Stopwatch.GetElapsedTime(started, acknowledged).TotalMilliseconds;
                    alerted[i] = Stopwatch.GetElapsedTime(started, seen).TotalMilliseconds;
                }

                if (i == -1)
                {
                    decisionsBefore = Interlocked.Read(ref enqueued.Value);
                }

                await Task.Delay(20);
            }

            var decisions = Interlocked.Read(ref enqueued.Value) - decisionsBefore;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"latency: {probes} probes under a background load of {load} decisions/s ({decisions} decisions went through the engine meanwhile)"));
            await output.WriteLineAsync("| measure | p50 ms | p99 ms | max ms |");
            await output.WriteLineAsync("|---|---:|---:|---:|");
            await output.WriteLineAsync(Percentiles("event appended → its alert readable", alerted));
            await output.WriteLineAsync(Percentiles("comparator: event appended → append acknowledged", appended));
        }
        finally
        {
            await stop.CancelAsync();
            await background;
        }
    }

    private static async Task WaitForAlertAsync(IMandateStore store, AlertSignal signal, string identity)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 10);
        while (true)
        {
            // Taken before the read, so an alert committed between the two still wakes the wait.
            var next = signal.Next;
            await using (var session = await store.BeginAsync(StoreIntent.Read, CancellationToken.None))
            {
                if ((await session.Get<IDetectionRepository>().QueryAlertsAsync(new AlertQuery { Identity = identity, Limit = 1 }, CancellationToken.None)).Count > 0)
                {
                    return;
                }
            }

            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                throw new TimeoutException($"No alert for {identity} within 10 s.");
            }

            await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency)));
        }
    }

    /// <summary>Ordinary allowed decisions through the decision point's own audit queue, at a steady rate.</summary>
    private static async Task BackgroundLoadAsync(DecisionAuditQueue queue, int perSecond, StrongBox<long> enqueued, CancellationToken cancellationToken)
    {
        var tick = TimeSpan.FromMilliseconds(10);
        var perTick = Math.Max(1, perSecond / 100);
        var serial = 0;
        using var timer = new PeriodicTimer(tick);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                for (var i = 0; i < perTick; i++)
                {
                    var n = serial++ % 100;
                    await queue.EnqueueAsync(
                        new AuditEvent
                        {
                            Type = "decision",
                            Actor = "pep:gateway",
                            Subject = $"Workload::\"spiffe://bench.mandate.local/svc/steady-{n}\"",
                            Action = "Action::\"read\"",
                            Resource = "Ticket::\"t-" + (serial % 500).ToString(CultureInfo.InvariantCulture) + "\"",
                            Decision = "allow",
                            CredentialId = "jti-steady-" + n.ToString(CultureInfo.InvariantCulture),
                            Details = new Dictionary<string, string> { ["client"] = "10.9.0." + n.ToString(CultureInfo.InvariantCulture) },
                        },
                        cancellationToken);
                    Interlocked.Increment(ref enqueued.Value);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string Percentiles(string what, double[] samples)
    {
        var sorted = samples.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"| {what} | {At(0.50):F1} | {At(0.99):F1} | {sorted[^1]:F1} |");
    }

    private static int Number(string[] args, string name, int fallback) =>
        Text(args, name, null) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? Text(string[] args, string name, string? fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    private sealed record EngineRun(TimeSpan Wall, TimeSpan Cpu, IReadOnlyList<DetectionAlert> Alerts);

    /// <summary>A real server on a throwaway SQLite store, quiet, listening on a free loopback port.</summary>
    private sealed class BenchServer : IAsyncDisposable
    {
        private readonly WebApplication app;
        private readonly string root;

        private BenchServer(WebApplication app, string root)
        {
            this.app = app;
            this.root = root;
        }

        public IServiceProvider Services => app.Services;

        public static async Task<BenchServer> StartAsync(IReadOnlyDictionary<string, string> settings)
        {
            var root = Path.Combine(Path.GetTempPath(), "mandate-bench-detection-" + Guid.NewGuid().ToString("N"));
            var data = Path.Combine(root, "data");
            Directory.CreateDirectory(data);
            await File.WriteAllTextAsync(Path.Combine(data, "policies.cedar"), "permit (principal, action, resource);");
            await File.WriteAllTextAsync(Path.Combine(data, "entities.json"), "[]");
            var app = await MandateServer.CreateAsync(
                new MandateServerOptions { Urls = "http://127.0.0.1:0", StateDirectory = Path.Combine(root, "state"), DataDirectory = data },
                builder =>
                {
                    builder.Logging.SetMinimumLevel(LogLevel.Warning);
                    builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
                    foreach (var (key, value) in settings)
                    {
                        builder.Configuration[key] = value;
                    }
                });
            await app.StartAsync();
            return new BenchServer(app, root);
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
