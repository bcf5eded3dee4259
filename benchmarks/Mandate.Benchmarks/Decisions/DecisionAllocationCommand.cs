using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mandate.Benchmarks.Decisions;

/// <summary>
/// <c>decision-alloc [--requests N] [--concurrency C] [--no-audit] [--types [--top N]]</c>: bytes allocated per request (the whole
/// process: server and the loopback client in it) for N allowed evaluations over HTTP/1.1 with every allow audited,
/// against the comparator in the same run: N requests to <c>/healthz</c> with the same client. The difference is what
/// the decision path allocates on the server above the cheapest endpoint (the issue's target: at most 4 KB per
/// evaluation on the server path). Measured twice: with one sequential client (each audited decision is then a write
/// batch of its own: the worst case) and with C concurrent keep-alive connections (default 32, the load under which the
/// issue took its profile), each time against <c>/healthz</c> at the same concurrency.
/// </summary>
internal static class DecisionAllocationCommand
{
    private const string Body = """{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/svc/billing"},"action":{"name":"read"},"resource":{"type":"Invoice","id":"INV-2026-001"}}""";

    private static readonly Uri Evaluation = new("/access/v1/evaluation", UriKind.Relative);
    private static readonly Uri Health = new("/healthz", UriKind.Relative);
    private static readonly Uri Replay = new(ReplayFilter.Path, UriKind.Relative);

    private enum Kind
    {
        Health,
        Evaluation,
        Replay,
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var requests = DocsSmoke.Cap(Option(args, "--requests") ?? 20_000, 500, "requests", Console.Error);
        var concurrency = Option(args, "--concurrency") ?? 32;
        if (concurrency < 1)
        {
            await Console.Error.WriteLineAsync("decision-alloc: --concurrency must be at least 1");
            return 2;
        }

        var noAudit = args.Contains("--no-audit");
        var top = Option(args, "--top") ?? 25;

        // --types: also the types the runtime's allocation samples name during the evaluations (a sampling, not a count).
        using var sampler = args.Contains("--types") ? new AllocationSampler() : null;
        var replay = new ReplayFilter();
        var state = Path.Combine(Path.GetTempPath(), "mandate-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(state);
        var app = await MandateServer.CreateAsync(
            new MandateServerOptions { Demo = true, StateDirectory = state, Urls = "http://127.0.0.1:0" },
            b =>
            {
                b.Logging.SetMinimumLevel(LogLevel.Warning);
                b.Services.AddSingleton<IStartupFilter>(replay);

                // One loopback client outruns the per-client limit (1,000/s) and would be answered 429 (as in the load driver).
                b.Configuration["Mandate:RateLimits:Decisions:Enabled"] = "false";
                b.Configuration["Mandate:RateLimits:AuthenticatedDecisions:Enabled"] = "false";

                // --no-audit: allows not audited, to see the decision path without the ledger's batching (whose share
                // per request varies with how many records each write takes).
                if (noAudit)
                {
                    b.Configuration["Mandate:Decisions:AuditAllowSampleRate"] = "0";
                }
            });
        await using (app)
        {
            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(state, "admin.token"))).Trim());

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"decision-alloc: {requests:N0} requests each, HTTP/1.1 keep-alive, {(noAudit ? "allows not audited" : "every allow audited")}"));
            await output.WriteLineAsync("| clients | requests | bytes allocated per request (process) |");
            await output.WriteLineAsync("|---|---|---:|");
            var types = new List<string>();
            // The client's own share of a POST: the bare middleware answers the same body with an evaluation's own answer.
            await replay.CaptureAsync(client);
            foreach (var clients in concurrency == 1 ? [1] : new[] { 1, concurrency })
            {
                // Warm up every path (JIT, pools, connections) at this concurrency before counting.
                foreach (var kind in Enum.GetValues<Kind>())
                {
                    await MeasureAsync(client, Math.Min(requests, 2_000), clients, kind);
                }

                var health = await MeasureAsync(client, requests, clients, Kind.Health);
                var bare = await MeasureAsync(client, requests, clients, Kind.Replay);
                sampler?.Clear();
                sampler?.Counting = true;
                var evaluation = await MeasureAsync(client, requests, clients, Kind.Evaluation);
                sampler?.Counting = false;
                var who = clients == 1 ? "1 (sequential)" : string.Create(CultureInfo.InvariantCulture, $"{clients} (concurrent)");
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {who} | comparator: GET /healthz | {health:N0} |"));
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {who} | comparator: the same POST answered with an evaluation's bytes by a bare middleware | {bare:N0} |"));
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {who} | POST /access/v1/evaluation (allowed) | {evaluation:N0} |"));
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {who} | difference: the decision path above /healthz | {evaluation - health:N0} |"));
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {who} | difference: the decision path above the bare POST (the client's POST not counted) | {evaluation - bare:N0} |"));
                types.AddRange(sampler?.Top(top).Select(p => string.Create(CultureInfo.InvariantCulture, $"| {who} | {p.Key} | {p.Value / (double)requests:N0} |")) ?? []);
            }

            if (types.Count > 0)
            {
                await output.WriteLineAsync("| clients | sampled type (evaluations) | sampled bytes per request |");
                await output.WriteLineAsync("|---|---|---:|");
                foreach (var line in types)
                {
                    await output.WriteLineAsync(line);
                }
            }

            await app.StopAsync();
        }

        return 0;
    }

    private static int? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : null;
    }

    /// <summary><paramref name="requests"/> requests over <paramref name="clients"/> keep-alive connections, each client sequential.</summary>
    private static async Task<double> MeasureAsync(HttpClient client, int requests, int clients, Kind kind)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var workers = new Task[clients];
        for (var c = 0; c < clients; c++)
        {
            var share = (requests / clients) + (c < requests % clients ? 1 : 0);
            workers[c] = Task.Run(() => SendAsync(client, share, kind));
        }

        await Task.WhenAll(workers);
        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)requests;
    }

    private static async Task SendAsync(HttpClient client, int requests, Kind kind)
    {
        for (var i = 0; i < requests; i++)
        {
            using var response = kind switch
            {
                Kind.Evaluation => await client.PostAsync(Evaluation, new StringContent(Body, Encoding.UTF8, "application/json")),
                Kind.Replay => await client.PostAsync(Replay, new StringContent(Body, Encoding.UTF8, "application/json")),
                _ => await client.GetAsync(Health),
            };
            response.EnsureSuccessStatusCode();
            await response.Content.CopyToAsync(Stream.Null);
        }
    }

    /// <summary>
    /// Answers <see cref="Path"/> ahead of the whole pipeline with an evaluation's own answer (its body and headers,
    /// taken once): the loopback client does for it what it does for an evaluation, the server next to nothing (the
    /// body is read and dropped).
    /// </summary>
    private sealed class ReplayFilter : IStartupFilter
    {
        public const string Path = "/bench/replayed-evaluation";

        private byte[] body = [];
        private KeyValuePair<string, string>[] headers = [];

        public async Task CaptureAsync(HttpClient client)
        {
            using var response = await client.PostAsync(Evaluation, new StringContent(Body, Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
            body = await response.Content.ReadAsByteArrayAsync();
            headers = [.. response.Headers.Concat(response.Content.Headers)
                .Where(h => h.Key is not ("Date" or "Server" or "Content-Length" or "Transfer-Encoding"))
                .Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value)))];
        }

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Path != Path)
                {
                    await nextMiddleware(context);
                    return;
                }

                await context.Request.Body.CopyToAsync(Stream.Null);
                foreach (var (name, value) in headers)
                {
                    context.Response.Headers[name] = value;
                }

                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body);
            });
            next(app);
        };
    }
}
