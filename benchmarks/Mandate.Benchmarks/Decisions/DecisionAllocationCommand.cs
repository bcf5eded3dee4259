using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mandate.Benchmarks.Decisions;

/// <summary>
/// <c>decision-alloc [--requests N]</c>: bytes allocated per request (the whole process: server and the loopback
/// client in it) for N allowed evaluations over HTTP/1.1 with every allow audited, against the comparator in the same
/// run: N requests to <c>/healthz</c> with the same client. The difference is what the decision path allocates on
/// the server above the cheapest endpoint (the target: at most 4 KB per evaluation on the server path).
/// </summary>
internal static class DecisionAllocationCommand
{
    private const string Body = """{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/svc/billing"},"action":{"name":"read"},"resource":{"type":"Invoice","id":"INV-2026-001"}}""";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var requests = DocsSmoke.Cap(args.Length == 2 && args[0] == "--requests" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000, 500, "requests", Console.Error);
        var state = Path.Combine(Path.GetTempPath(), "mandate-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(state);
        var app = await MandateServer.CreateAsync(
            new MandateServerOptions { Demo = true, StateDirectory = state, Urls = "http://127.0.0.1:0" },
            b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await using (app)
        {
            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(state, "admin.token"))).Trim());

            // Warm up both paths (JIT, pools, connections) before counting.
            await MeasureAsync(client, Math.Min(requests, 2_000), evaluate: false);
            await MeasureAsync(client, Math.Min(requests, 2_000), evaluate: true);
            var health = await MeasureAsync(client, requests, evaluate: false);
            var evaluation = await MeasureAsync(client, requests, evaluate: true);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"decision-alloc: {requests:N0} requests each, HTTP/1.1, one connection, every allow audited"));
            await output.WriteLineAsync("| requests | bytes allocated per request (process) |");
            await output.WriteLineAsync("|---|---:|");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| comparator: GET /healthz | {health:N0} |"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| POST /access/v1/evaluation (allowed) | {evaluation:N0} |"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| difference: the decision path above /healthz | {evaluation - health:N0} |"));
            await app.StopAsync();
        }

        return 0;
    }

    private static async Task<double> MeasureAsync(HttpClient client, int requests, bool evaluate)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < requests; i++)
        {
            using var response = evaluate
                ? await client.PostAsync(new Uri("/access/v1/evaluation", UriKind.Relative), new StringContent(Body, Encoding.UTF8, "application/json"))
                : await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            response.EnsureSuccessStatusCode();
            await response.Content.CopyToAsync(Stream.Null);
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)requests;
    }
}
