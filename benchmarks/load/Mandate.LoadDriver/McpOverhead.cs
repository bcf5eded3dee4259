using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Gateway.Mcp;
using Mandate.Server;
using Mandate.Server.Gateway;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelContextProtocol.Client;
using ModelContextProtocol.Server;

namespace Mandate.LoadDriver;

/// <summary>
/// <c>benchmarks/bench load mcp [--calls 2000] [--warmup 200]</c>: the latency the MCP gateway adds to one
/// <c>tools/call</c>. In this process: the Mandate server (demo policies, every allow audited as the gateway's calls
/// are) hosting a gateway that decides in-process (<c>mandate serve --mcp-gateway FILE</c>), an upstream MCP server
/// over Streamable HTTP (the official SDK, one read-only <c>echo</c> tool), and standalone gateways in front of it that
/// ask the server over HTTP (<c>mandate gateway mcp</c>). The same SDK client calls <c>echo</c> sequentially on the
/// upstream directly, through the standalone gateway with a real task credential, through the gateway the server hosts,
/// and through a standalone gateway that leaves every call to the SDK's per-request server (the gateway before it
/// answered <c>tools/call</c> itself), alternating in rounds so drift hits all; it prints p50/p99/mean and CPU per call
/// of each and the differences. Loopback only; it stops by itself.
/// </summary>
internal static class McpOverhead
{
    private const string Agent = "spiffe://demo.mandate.local/agent/support-assistant";
    private const string PepToken = "mpt_mcp-overhead-benchmark-0123456789abcdef0123";

    public static async Task<int> RunAsync(string[] args)
    {
        var calls = (int)Argument(args, "--calls", 2000);
        var warmup = (int)Argument(args, "--warmup", 200);
        if (Environment.GetEnvironmentVariable("MANDATE_DOCS_SMOKE") == "1")
        {
            calls = 40;
            warmup = 10;
            Console.Error.WriteLine("docs smoke (MANDATE_DOCS_SMOKE=1): 40 calls after 10 warm-up calls; the figures mean nothing");
        }

        // The upstream first: the gateway the server hosts is configured with its address.
        await using var upstream = await StartUpstreamAsync();
        var upstreamEndpoint = new Uri(Address(upstream), "/mcp");

        var state = Path.Combine(Path.GetTempPath(), "mandate-mcp-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(state);
        var hostedConfig = new GatewayConfigFile(new Uri("http://127.0.0.1:0"), null, null, [new UpstreamOptions { Name = "bench", Url = upstreamEndpoint }], NoRateLimits);
        await using var mandate = await MandateServer.CreateAsync(
            new MandateServerOptions { Demo = true, StateDirectory = state, Urls = "http://127.0.0.1:0", McpGateways = [new HostedMcpGatewayConfig("benchmark", hostedConfig)] },
            b =>
            {
                b.Logging.SetMinimumLevel(LogLevel.Warning);
                b.Configuration["Mandate:RateLimits:Decisions:Enabled"] = "false";
                b.Configuration["Mandate:RateLimits:AuthenticatedDecisions:Enabled"] = "false";
                b.Configuration["Mandate:Decisions:PepCredentials:0:Name"] = "mcp-bench";
                b.Configuration["Mandate:Decisions:PepCredentials:0:TokenSha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(PepToken)));
            });
        await mandate.StartAsync();
        var server = Address(mandate);
        var hosted = mandate.Services.GetRequiredService<McpGatewayHost>().Gateways[0];

        await using var gateway = StartGateway(server, upstreamEndpoint, answerToolCallsDirectly: true);
        await gateway.StartAsync();
        var gatewayEndpoint = new Uri(Address(gateway), "/mcp");

        // The comparator for the gateway's own answer: the same gateway leaving every call to the SDK's per-request
        // server, as it did before it answered tools/call itself.
        await using var sdkGateway = StartGateway(server, upstreamEndpoint, answerToolCallsDirectly: false);
        await sdkGateway.StartAsync();

        var token = await OpenTaskAsync(mandate, server);
        await using var direct = await ConnectAsync(upstreamEndpoint, null);
        await using var viaGateway = await ConnectAsync(gatewayEndpoint, token);
        await using var viaSdkGateway = await ConnectAsync(new Uri(Address(sdkGateway), "/mcp"), token);
        await using var viaHosted = await ConnectAsync(new Uri(hosted.Endpoints[0]), token);

        var arguments = new Dictionary<string, object?> { ["text"] = "ping" };

        // The split: the decision the gateway asks for each call, asked alone with the gateway's own client, and the
        // server's cheapest answer (/healthz) on a keep-alive client: the HTTP hop the decision costs at the least.
        var decisionClient = gateway.Services.GetRequiredService<IGatewayDecisionPoint>();
        var inProcessDecisions = hosted.App.Services.GetRequiredService<IGatewayDecisionPoint>();
        var upstreamServer = gateway.Services.GetRequiredService<GatewayUpstreams>().Servers[0];
        var echo = (await upstreamServer.CatalogueAsync(CancellationToken.None)).Tools.Single(t => t.Name == "echo");
        var credential = AgentCredential.Read("Bearer " + token, null).Credential!;
        var target = GatewayTargets.Tool(upstreamServer.Options, "echo", echo);
        using var echoArguments = JsonDocument.Parse("{\"text\":\"ping\"}");
        using var health = new HttpClient { BaseAddress = server };
        for (var i = 0; i < warmup; i++)
        {
            await direct.CallToolAsync("echo", arguments);
            await viaGateway.CallToolAsync("echo", arguments);
            await viaSdkGateway.CallToolAsync("echo", arguments);
            await viaHosted.CallToolAsync("echo", arguments);
            await DecideAsync(decisionClient, credential, target, echoArguments.RootElement);
            await DecideAsync(inProcessDecisions, credential, target, echoArguments.RootElement);
            (await health.GetAsync(new Uri("/healthz", UriKind.Relative))).Dispose();
        }

        var decisionTimes = new List<double>(calls);
        var inProcessDecisionTimes = new List<double>(calls);
        var healthTimes = new List<double>(calls);

        var directTimes = new List<double>(calls);
        var gatewayTimes = new List<double>(calls);
        var sdkGatewayTimes = new List<double>(calls);
        var hostedTimes = new List<double>(calls);
        double directCpu = 0, gatewayCpu = 0, sdkGatewayCpu = 0, hostedCpu = 0;
        const int Round = 50;
        for (var done = 0; done < calls; done += Round)
        {
            var n = Math.Min(Round, calls - done);
            directCpu += await MeasureAsync(direct, arguments, n, directTimes);
            gatewayCpu += await MeasureAsync(viaGateway, arguments, n, gatewayTimes);
            sdkGatewayCpu += await MeasureAsync(viaSdkGateway, arguments, n, sdkGatewayTimes);
            hostedCpu += await MeasureAsync(viaHosted, arguments, n, hostedTimes);
            for (var i = 0; i < n; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await DecideAsync(decisionClient, credential, target, echoArguments.RootElement);
                decisionTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                start = Stopwatch.GetTimestamp();
                await DecideAsync(inProcessDecisions, credential, target, echoArguments.RootElement);
                inProcessDecisionTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                start = Stopwatch.GetTimestamp();
                (await health.GetAsync(new Uri("/healthz", UriKind.Relative))).Dispose();
                healthTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        Console.WriteLine($"# MCP gateway overhead: {Environment.ProcessorCount} cores, {calls} sequential tools/call per path after {warmup} warm-up calls, loopback, Streamable HTTP upstream, every allow audited");
        Console.WriteLine();
        Console.WriteLine("| path | p50 ms | p99 ms | mean ms | CPU ms per call |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Row("upstream directly", directTimes, directCpu);
        Row("through the gateway the server hosts (in-process decision)", hostedTimes, hostedCpu);
        Added("**added by the gateway the server hosts (in-process decision)**", hostedTimes, hostedCpu, directTimes, directCpu, bold: true);
        Row("through the standalone gateway (decision over HTTP)", gatewayTimes, gatewayCpu);
        Added("**added by the standalone gateway (decision over HTTP)**", gatewayTimes, gatewayCpu, directTimes, directCpu, bold: true);
        Row("through the standalone gateway, every call through the SDK's per-request server", sdkGatewayTimes, sdkGatewayCpu);
        Added("added by the standalone gateway, every call through the SDK's per-request server", sdkGatewayTimes, sdkGatewayCpu, directTimes, directCpu, bold: false);
        Console.WriteLine();
        Console.WriteLine("Where it goes (same rounds):");
        Console.WriteLine();
        Console.WriteLine("| part | p50 ms | p99 ms | mean ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        Row("the decision alone, in-process (the hosted gateway's InProcessGatewayDecisionPoint)", inProcessDecisionTimes);
        Row("the decision alone, over HTTP (the standalone gateway's client, /access/v1/evaluation)", decisionTimes);
        Row("the server's cheapest answer (GET /healthz, keep-alive)", healthTimes);

        await gateway.StopAsync();
        await sdkGateway.StopAsync();
        await mandate.StopAsync();
        await upstream.StopAsync();
        try
        {
            Directory.Delete(state, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }

        return 0;
    }

    private static GatewayLimits NoRateLimits => new() { RequestsPerMinutePerCredential = 0, CallsPerMinutePerTool = 0 };

    private static void Added(string name, List<double> times, double cpu, List<double> baseline, double baselineCpu, bool bold)
    {
        var b = bold ? "**" : string.Empty;
        Console.WriteLine(
            $"| {name} | {b}{Format(Percentile(times, 0.50) - Percentile(baseline, 0.50))}{b} | {b}{Format(Percentile(times, 0.99) - Percentile(baseline, 0.99))}{b} | " +
            $"{b}{Format(times.Average() - baseline.Average())}{b} | {b}{Format((cpu - baselineCpu) / times.Count)}{b} |");
    }

    private static WebApplication StartGateway(Uri server, Uri upstreamEndpoint, bool answerToolCallsDirectly) =>
        McpGateway.Build(new McpGatewayOptions
        {
            Listen = new Uri("http://127.0.0.1:0"),
            Server = server,
            ServerToken = PepToken,
            Upstreams = [new UpstreamOptions { Name = "bench", Url = upstreamEndpoint }],
            Limits = NoRateLimits,
            AnswerToolCallsDirectly = answerToolCallsDirectly,
        });

    /// <summary>
    /// Times <paramref name="count"/> sequential calls; returns the CPU time the whole process spent meanwhile (client,
    /// gateway, server, upstream, audit writer), in ms: on a shared machine it moves far less than the latencies do.
    /// </summary>
    private static async Task<double> MeasureAsync(McpClient client, Dictionary<string, object?> arguments, int count, List<double> times)
    {
        var cpu = Environment.CpuUsage.TotalTime;
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var result = await client.CallToolAsync("echo", arguments);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (result.IsError == true)
            {
                throw new InvalidOperationException("echo failed: the benchmark measures errors, not calls");
            }
        }

        return (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
    }

    private static async Task DecideAsync(IGatewayDecisionPoint client, AgentCredential credential, GatewayRequestTarget target, JsonElement arguments)
    {
        var decision = await client.EvaluateAsync(credential, null, target, arguments, GatewayRequestOrigin.None, CancellationToken.None);
        if (!decision.Allowed)
        {
            throw new InvalidOperationException("the decision alone was refused: " + decision.Reason);
        }
    }

    private static async Task<WebApplication> StartUpstreamAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddMcpServer().WithHttpTransport(t => t.Stateless = true).WithTools<EchoTool>();
        var app = builder.Build();
        app.MapMcp("/mcp");
        await app.StartAsync();
        return app;
    }

    private static async Task<string> OpenTaskAsync(WebApplication mandate, Uri server)
    {
        var svid = mandate.Services.GetRequiredService<JwtSvidIssuer>()
            .Issue(SpiffeId.Parse(Agent), [mandate.Services.GetRequiredService<IKeyRing>().Issuer], TimeSpan.FromMinutes(30)).Token;
        using var client = new HttpClient { BaseAddress = server };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", svid);
        using var response = await client.PostAsJsonAsync("/v1/tasks", new
        {
            intent = new
            {
                description = "MCP gateway overhead benchmark",
                actions = new[] { "read" },
                resources = new[] { "McpTool" },
                sensitivity_ceiling = "low",
                destinations = Array.Empty<string>(),
                delegates = Array.Empty<string>(),
            },
            ttl_seconds = 3600,
        });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException("could not open the benchmark's task: " + body);
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("credential").GetProperty("access_token").GetString()!;
    }

    private static Task<McpClient> ConnectAsync(Uri endpoint, string? token) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = token is null ? null : new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        }));

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static void Row(string name, List<double> times) =>
        Console.WriteLine($"| {name} | {Format(Percentile(times, 0.50))} | {Format(Percentile(times, 0.99))} | {Format(times.Average())} |");

    private static void Row(string name, List<double> times, double cpu) =>
        Console.WriteLine($"| {name} | {Format(Percentile(times, 0.50))} | {Format(Percentile(times, 0.99))} | {Format(times.Average())} | {Format(cpu / times.Count)} |");

    private static double Percentile(List<double> times, double p)
    {
        var sorted = times.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static string Format(double ms) => ms.ToString("0.000", CultureInfo.InvariantCulture);

    private static double Argument(string[] args, string name, double fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && double.TryParse(args[index + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    [McpServerToolType]
    private sealed class EchoTool
    {
        [McpServerTool(Name = "echo", ReadOnly = true)]
        public static string Echo(string text) => text;
    }
}
