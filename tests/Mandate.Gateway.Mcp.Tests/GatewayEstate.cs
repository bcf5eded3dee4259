using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Core.Storage;
using Mandate.Server.Gateway;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;

namespace Mandate.Gateway.Mcp.Tests;

/// <summary>
/// A real Mandate server (the demo estate, with a PEP credential for the gateway) and a real gateway on loopback in
/// front of upstream MCP servers the test names; agents open real tasks and connect with the official C# SDK client.
/// </summary>
internal sealed class GatewayEstate : IAsyncDisposable
{
    public const string Agent = "spiffe://demo.mandate.local/agent/support-assistant";

    private readonly List<WebApplication> extraGateways = [];
    private WebApplication? gateway;

    private GatewayEstate(MandateTestServer server) => Server = server;

    public MandateTestServer Server { get; }

    public Uri GatewayAddress { get; private set; } = null!;

    public IServiceProvider GatewayServices => gateway?.Services ?? Server.Services.GetRequiredService<McpGatewayHost>().Gateways[0].App.Services;

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<GatewayEstate> StartAsync(IReadOnlyList<UpstreamOptions> upstreams, GatewayLimits? limits = null, string serverToken = TestPep.Token)
    {
        var server = await MandateTestServer.StartAsync(configureBuilder: TestPep.Configure);
        var estate = new GatewayEstate(server);
        await estate.StartGatewayAsync(upstreams, limits ?? new GatewayLimits(), serverToken);
        return estate;
    }

    /// <summary>
    /// A server that hosts the gateway itself (<c>mandate serve --mcp-gateway FILE</c>): the gateway listens on its own
    /// loopback port and decides through the server's decision service in the same process, without an HTTP hop.
    /// </summary>
    public static async Task<GatewayEstate> StartInProcessAsync(
        IReadOnlyList<UpstreamOptions> upstreams, GatewayLimits? limits = null, Action<WebApplicationBuilder>? configureServer = null)
    {
        var file = new GatewayConfigFile(new Uri("http://127.0.0.1:0"), null, null, upstreams, limits ?? new GatewayLimits());
        var server = await MandateTestServer.StartAsync(
            o => o.McpGateways = [new HostedMcpGatewayConfig("test-gateway.json", file)],
            b =>
            {
                TestPep.Configure(b);
                configureServer?.Invoke(b);
            });
        var estate = new GatewayEstate(server);
        estate.GatewayAddress = server.Services.GetRequiredService<McpGatewayHost>().Gateways[0].Address;
        return estate;
    }

    private async Task StartGatewayAsync(IReadOnlyList<UpstreamOptions> upstreams, GatewayLimits limits, string serverToken)
    {
        gateway = McpGateway.Build(new McpGatewayOptions
        {
            Listen = new Uri("http://127.0.0.1:0"),
            Server = Server.Address,
            ServerToken = serverToken,
            Upstreams = upstreams,
            Limits = limits,
        });
        await gateway.StartAsync(Ct);
        GatewayAddress = new Uri(gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>
    /// A second gateway in front of the same server, with its own upstreams, answering every call through the SDK's
    /// per-request server (<see cref="McpGatewayOptions.AnswerToolCallsDirectly"/> off): what the direct answer is compared with.
    /// </summary>
    public Task<Uri> StartSdkOnlyGatewayAsync(IReadOnlyList<UpstreamOptions> upstreams) => StartStandaloneGatewayAsync(upstreams, answerToolCallsDirectly: false);

    /// <summary>
    /// A further standalone gateway (<c>mandate gateway mcp</c>: it asks the server over HTTP as a PEP) in front of the
    /// same server, with its own upstreams: what a gateway the server hosts is compared with.
    /// </summary>
    public async Task<Uri> StartStandaloneGatewayAsync(IReadOnlyList<UpstreamOptions> upstreams, bool answerToolCallsDirectly = true)
    {
        var app = McpGateway.Build(new McpGatewayOptions
        {
            Listen = new Uri("http://127.0.0.1:0"),
            Server = Server.Address,
            ServerToken = TestPep.Token,
            Upstreams = upstreams,
            AnswerToolCallsDirectly = answerToolCallsDirectly,
        });
        extraGateways.Add(app);
        await app.StartAsync(Ct);
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>The test upstream as a stdio command: this configuration's build of Mandate.Gateway.Mcp.TestUpstream.</summary>
    public static UpstreamOptions StdioUpstream(string name, string? notes = null, IReadOnlyDictionary<string, string>? toolActions = null)
    {
        var command = new List<string> { "dotnet", UpstreamDll };
        return new UpstreamOptions
        {
            Name = name,
            Command = notes is null ? command : ["env", "TEST_UPSTREAM_NOTES=" + notes, .. command],
            ToolActions = toolActions ?? new Dictionary<string, string>(),
        };
    }

    public static string UpstreamDll
    {
        get
        {
            // artifacts/bin/<this project>/<configuration>/ → artifacts/bin/Mandate.Gateway.Mcp.TestUpstream/<configuration>/
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
            var path = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "Mandate.Gateway.Mcp.TestUpstream", configuration, "Mandate.Gateway.Mcp.TestUpstream.dll"));
            Assert.True(File.Exists(path), "the test upstream is not built: " + path);
            return path;
        }
    }

    public string Svid(string spiffeId) =>
        Server.Services.GetRequiredService<JwtSvidIssuer>().Issue(SpiffeId.Parse(spiffeId), [Server.Services.GetRequiredService<IKeyRing>().Issuer], TimeSpan.FromMinutes(30)).Token;

    /// <summary>Opens a task as the support assistant with the given intent actions over MCP entities; returns its id and credential.</summary>
    public async Task<(string TaskId, string Token)> OpenTaskAsync(string[] actions, string? dpop = null, string agent = Agent, string[]? delegates = null, string[]? resources = null)
    {
        using var client = new HttpClient { BaseAddress = Server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Svid(agent));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tasks")
        {
            Content = JsonContent.Create(new
            {
                intent = new
                {
                    description = "Answer the customer's question from the files",
                    actions,
                    resources = resources ?? ["McpTool", "McpResource", "McpPrompt"],
                    sensitivity_ceiling = "medium",
                    destinations = Array.Empty<string>(),
                    delegates = delegates ?? [],
                },
                ttl_seconds = 600,
            }),
        };
        if (dpop is not null)
        {
            request.Headers.Add("DPoP", dpop);
        }

        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        var json = JsonDocument.Parse(body).RootElement;
        return (json.GetProperty("task").GetProperty("id").GetString()!, json.GetProperty("credential").GetProperty("access_token").GetString()!);
    }

    public async Task CompleteTaskAsync(string taskId, string agent = Agent)
    {
        using var client = new HttpClient { BaseAddress = Server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Svid(agent));
        using var response = await client.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>An MCP client (the official C# SDK) connected to the gateway's endpoint with the agent's credential.</summary>
    public async Task<McpClient> ConnectAsync(string token, string path = "/mcp")
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(GatewayAddress, path),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        });
        return await McpClient.CreateAsync(transport, cancellationToken: Ct);
    }

    /// <summary>Decision records in the ledger (written behind the answer: the queue is flushed first).</summary>
    public async Task<List<JsonElement>> DecisionsAsync()
    {
        await Server.Services.GetRequiredService<DecisionAuditQueue>().FlushAsync(Ct);
        var found = new List<JsonElement>();
        var store = Server.Services.GetRequiredService<IMandateStore>();
        await using var session = await store.BeginAsync(StoreIntent.Read, Ct);
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, Ct))
        {
            var body = JsonDocument.Parse(record.CanonicalJson).RootElement;
            if (body.GetProperty("type").GetString()!.StartsWith("decision", StringComparison.Ordinal))
            {
                found.Add(body.Clone());
            }
        }

        return found;
    }

    /// <summary>One raw JSON-RPC POST to the gateway (for what an SDK client would hide: status codes and headers).</summary>
    public Task<HttpResponseMessage> PostRawAsync(string json, string? token, string path = "/mcp", string? dpop = null) =>
        PostRawAsync(GatewayAddress, json, token, path, dpop);

    /// <summary>One raw JSON-RPC POST to the gateway at <paramref name="gateway"/>.</summary>
    public static async Task<HttpResponseMessage> PostRawAsync(Uri gateway, string json, string? token, string path = "/mcp", string? dpop = null)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, path)) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (dpop is not null)
        {
            request.Headers.Add("DPoP", dpop);
        }

        var response = await client.SendAsync(request, Ct);
        await response.Content.LoadIntoBufferAsync(Ct);
        return response;
    }

    public const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    public static string CallTool(string name, string arguments = "{}") =>
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"" + name + "\",\"arguments\":" + arguments + "}}";

    public static bool IsUnauthorized(Exception e) =>
        e is HttpRequestException { StatusCode: HttpStatusCode.Unauthorized } || (e.InnerException is { } inner && IsUnauthorized(inner));

    public async ValueTask DisposeAsync()
    {
        foreach (var extra in extraGateways)
        {
            await extra.StopAsync(CancellationToken.None);
            await extra.DisposeAsync();
        }

        if (gateway is not null)
        {
            await gateway.StopAsync(CancellationToken.None);
            await gateway.DisposeAsync();
        }

        await Server.DisposeAsync();
    }
}
