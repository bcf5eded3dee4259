using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Mandate.Server;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Bounded load driver (loopback only, stops by itself). Starts, in this process, the Mandate server in demo mode and a
// trivial Kestrel app that answers every POST with a fixed AuthZEN decision (the ceiling: same host, same HTTP stack, no
// decision work), then drives both with the same client settings and prints decisions/s and latency percentiles.
//
//   dotnet run -c Release --project benchmarks/load/Mandate.LoadDriver -- [--seconds 5] [--connections 64] [--audit-allow-rate 0.01]
//   … -- mcp [--calls 2000] [--warmup 200]   the latency the MCP gateway adds per tools/call (McpOverhead)
if (args.Length > 0 && args[0] == "mcp")
{
    return await Mandate.LoadDriver.McpOverhead.RunAsync(args[1..]);
}

var seconds = Argument("--seconds", 5.0);
var connections = (int)Argument("--connections", 64.0);
var auditAllowRate = Argument("--audit-allow-rate", 0.01);
var warmUpSeconds = Math.Min(2, seconds);

// MANDATE_DOCS_SMOKE=1 (the docs test): the same six runs against the same servers, about one second in all.
if (Environment.GetEnvironmentVariable("MANDATE_DOCS_SMOKE") == "1")
{
    seconds = 0.15;
    warmUpSeconds = 0.02;
    connections = Math.Min(connections, 8);
    Console.Error.WriteLine("docs smoke (MANDATE_DOCS_SMOKE=1): 6 runs of 0.15 s with at most 8 connections; the figures mean nothing");
}
var state = Path.Combine(Path.GetTempPath(), "mandate-load-" + Guid.NewGuid().ToString("N"));

await using var mandate = await StartMandateAsync(state, auditAllowRate);
await using var ceiling = await StartCeilingAsync();
var mandateHttp1 = Address(mandate, 0);
var mandateHttp2 = Address(mandate, 1);
var ceilingHttp1 = Address(ceiling, 0);
var ceilingHttp2 = Address(ceiling, 1);

string[] allows =
[
    """{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/svc/billing"},"action":{"name":"read"},"resource":{"type":"Invoice","id":"INV-2026-001"}}""",
    """{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/svc/billing"},"action":{"name":"write"},"resource":{"type":"Invoice","id":"INV-2026-002"}}""",
    """{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/ci/github/deploy-pipeline"},"action":{"name":"deploy"},"resource":{"type":"Environment","id":"staging"}}""",
];
string[] withDenies =
[
    """{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/svc/billing"},"action":{"name":"read"},"resource":{"type":"Invoice","id":"INV-2026-001"}}""",
    """{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/svc/billing"},"action":{"name":"write"},"resource":{"type":"Invoice","id":"INV-2026-002"}}""",
    """{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/ci/github/deploy-pipeline"},"action":{"name":"deploy"},"resource":{"type":"Environment","id":"staging"}}""",
    """{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/ci/github/deploy-pipeline"},"action":{"name":"deploy"},"resource":{"type":"Environment","id":"production"}}""",
];
var batchItems = string.Join(',', Enumerable.Range(0, 100).Select(i => i % 2 == 0
    ? """{"action":{"name":"read"},"resource":{"type":"Invoice","id":"INV-2026-001"}}"""
    : """{"action":{"name":"write"},"resource":{"type":"Invoice","id":"INV-2026-002"}}"""));
string[] batch = ["""{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/svc/billing"},"evaluations":[""" + batchItems + "]}"];

Console.WriteLine($"# Mandate load driver: {Environment.ProcessorCount} cores, {connections} connections, {seconds}s per run, audit allow rate {auditAllowRate.ToString(CultureInfo.InvariantCulture)}, allow requests unless marked (denies are always audited)");
Console.WriteLine();
Console.WriteLine("| run | protocol | requests/s | decisions/s | p50 ms | p99 ms | vs ceiling |");
Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
var ceiling1 = await RunAsync("ceiling (fixed JSON)", ceilingHttp1, "/access/v1/evaluation", allows, HttpVersion.Version11, 1, null);
await RunAsync("evaluation", mandateHttp1, "/access/v1/evaluation", allows, HttpVersion.Version11, 1, ceiling1);
await RunAsync("evaluation, 1 in 4 denied", mandateHttp1, "/access/v1/evaluation", withDenies, HttpVersion.Version11, 1, ceiling1);
var ceiling2 = await RunAsync("ceiling (fixed JSON)", ceilingHttp2, "/access/v1/evaluation", allows, HttpVersion.Version20, 1, null);
await RunAsync("evaluation", mandateHttp2, "/access/v1/evaluation", allows, HttpVersion.Version20, 1, ceiling2);
await RunAsync("evaluations, batch of 100", mandateHttp1, "/access/v1/evaluations", batch, HttpVersion.Version11, 100, ceiling1);

try
{
    Directory.Delete(state, recursive: true);
}
catch (IOException)
{
    // A leftover temp directory is harmless.
}

return 0;

async Task<double> RunAsync(string name, Uri address, string path, string[] bodies, Version version, int decisionsPerRequest, double? ceilingRps)
{
    using var handler = new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        EnableMultipleHttp2Connections = true,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    };
    using var client = new HttpClient(handler) { BaseAddress = address, DefaultRequestVersion = version, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    var payloads = bodies.Select(Encoding.UTF8.GetBytes).ToArray();

    // Warm-up (JIT, connections), then the measured window; every worker stops at the deadline.
    await DriveAsync(client, path, payloads, TimeSpan.FromSeconds(warmUpSeconds), null);
    var latencies = new List<long>[connections];
    var stopwatch = Stopwatch.StartNew();
    var count = await DriveAsync(client, path, payloads, TimeSpan.FromSeconds(seconds), latencies);
    var elapsed = stopwatch.Elapsed.TotalSeconds;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    var rps = count / elapsed;
    var p50 = Percentile(all, 0.50);
    var p99 = Percentile(all, 0.99);
    var ratio = ceilingRps is { } c ? (rps / c).ToString("P0", CultureInfo.InvariantCulture) : "—";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | HTTP/{version.ToString(2)} | {rps:N0} | {rps * decisionsPerRequest:N0} | {p50:F2} | {p99:F2} | {ratio} |"));
    return rps;
}

async Task<long> DriveAsync(HttpClient client, string path, byte[][] payloads, TimeSpan duration, List<long>[]? latencies)
{
    var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    long total = 0;
    var workers = Enumerable.Range(0, connections).Select(async worker =>
    {
        var samples = new List<long>(100_000);
        if (latencies is not null)
        {
            latencies[worker] = samples;
        }

        var i = worker;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            using var content = new ByteArrayContent(payloads[i++ % payloads.Length]);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            var start = Stopwatch.GetTimestamp();
            using var response = await client.PostAsync(path, content);
            await response.Content.CopyToAsync(Stream.Null);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"HTTP {(int)response.StatusCode} from {path}");
            }

            if (samples.Count < 1_000_000)
            {
                samples.Add(Stopwatch.GetTimestamp() - start);
            }

            Interlocked.Increment(ref total);
        }
    }).ToArray();
    await Task.WhenAll(workers);
    return total;
}

static double Percentile(long[] sorted, double p) =>
    sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))] * 1000.0 / Stopwatch.Frequency;

static void Loopback(KestrelServerOptions kestrel)
{
    kestrel.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
    kestrel.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
}

static Uri Address(WebApplication app, int index) =>
    new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ElementAt(index));

static async Task<WebApplication> StartMandateAsync(string state, double auditAllowRate)
{
    Directory.CreateDirectory(state);
    var app = await MandateServer.CreateAsync(
        new MandateServerOptions { Demo = true, StateDirectory = state, Urls = "http://127.0.0.1:0" },
        b =>
        {
            b.WebHost.ConfigureKestrel(Loopback);
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            b.Configuration["Mandate:Decisions:AuditAllowSampleRate"] = auditAllowRate.ToString(CultureInfo.InvariantCulture);

            // The driver is one loopback client measuring the decision point's ceiling: the per-client limit would
            // measure the limiter instead.
            b.Configuration["Mandate:RateLimits:Decisions:Enabled"] = "false";
            b.Configuration["Mandate:RateLimits:AuthenticatedDecisions:Enabled"] = "false";
        });
    await app.StartAsync();
    return app;
}

static async Task<WebApplication> StartCeilingAsync()
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.ConfigureKestrel(Loopback);
    builder.Logging.ClearProviders();
    var app = builder.Build();
    var body = """{"decision":true,"context":{"decision_id":"d_000000000000_1"}}"""u8.ToArray();
    app.MapPost("/access/v1/evaluation", async (HttpContext http) =>
    {
        await http.Request.Body.CopyToAsync(Stream.Null);
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(body);
    });
    await app.StartAsync();
    return app;
}

double Argument(string name, double fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? double.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
