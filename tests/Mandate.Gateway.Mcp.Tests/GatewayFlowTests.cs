using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mandate.Gateway.Mcp.Tests;

/// <summary>
/// The gateway in the rest of Mandate: a delegated credential is decided for its current actor with the chain in the
/// ledger, detection sees gateway traffic (repeated out-of-scope calls raise risk until even reads stop; a completed
/// task's token presented again is credential reuse), an upstream over Streamable HTTP, and several upstreams from one
/// configuration file.
/// </summary>
public sealed class GatewayFlowTests
{
    internal const string SubAgent = "spiffe://demo.mandate.local/agent/ticket-summarizer";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DelegatedCredential_IsDecidedForItsActor_WithTheChainInTheLedger()
    {
        await using var estate = await GatewayEstate.StartAsync([GatewayEstate.StdioUpstream("notes")]);
        await RegisterAsync(estate, SubAgent);
        var (taskId, token) = await estate.OpenTaskAsync(["read"], delegates: [SubAgent]);
        var exchanged = await ExchangeAsync(estate, token, SubAgent);

        await using var client = await estate.ConnectAsync(exchanged);
        var tools = (await client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name).ToList();
        Assert.Contains("echo", tools);
        Assert.DoesNotContain("write_note", tools);
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "delegated" }, cancellationToken: Ct);
        Assert.Equal("echo: delegated", Assert.IsType<TextContentBlock>(echo.Content[0]).Text);

        var decision = Assert.Single(await estate.DecisionsAsync(), d => d.GetProperty("resource").GetString() == "McpTool::\"notes/echo\"");
        Assert.Equal($"Workload::\"{SubAgent}\"", decision.GetProperty("subject").GetString());
        Assert.Equal(taskId, decision.GetProperty("task_id").GetString());
        var chain = decision.GetProperty("chain").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Equal([SubAgent], chain);
    }

    [Fact]
    public async Task Detection_SeesGatewayTraffic_RepeatedOutOfScopeCallsRaiseRisk_AndAReusedDeadTokenIsAnAlert()
    {
        await using var estate = await GatewayEstate.StartAsync([GatewayEstate.StdioUpstream("notes")]);
        // A task for one tool: every other tool is outside it (outside_task_scope, what beyond_task_scope counts).
        var (taskId, token) = await estate.OpenTaskAsync(["read"], resources: ["McpTool::\"notes/echo\""]);
        await using (var client = await estate.ConnectAsync(token))
        {
            Assert.Equal(["echo"], (await client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name));
            for (var i = 0; i < 10; i++)
            {
                var outside = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.CallToolAsync("pid", cancellationToken: Ct));
                Assert.Contains("outside_task_scope", outside.Message, StringComparison.Ordinal);
            }

            await WaitForAlertAsync(estate, "beyond_task_scope");

            // The raised risk reaches context.risk: the demo's forbid-high-risk now stops even a read.
            McpProtocolException? refused = null;
            for (var i = 0; i < 50 && refused is null; i++)
            {
                try
                {
                    await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "x" }, cancellationToken: Ct);
                    await Task.Delay(100, Ct);
                }
                catch (McpProtocolException e)
                {
                    refused = e;
                }
            }

            Assert.NotNull(refused);
            Assert.Contains("Mandate refused tools/call of 'echo'", refused.Message, StringComparison.Ordinal);
        }

        await estate.CompleteTaskAsync(taskId);
        using var dead = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"x"}"""), token);
        Assert.Equal(HttpStatusCode.Unauthorized, dead.StatusCode);
        await WaitForAlertAsync(estate, "credential_reuse");
    }

    [Fact]
    public async Task HttpUpstream_IsReachedOverStreamableHttp()
    {
        var port = FreePort();
        using var upstream = Process.Start(new ProcessStartInfo("dotnet") { ArgumentList = { GatewayEstate.UpstreamDll, "--http", $"http://127.0.0.1:{port}" }, UseShellExecute = false, RedirectStandardOutput = true })!;
        try
        {
            await WaitListeningAsync(port);
            await using var estate = await GatewayEstate.StartAsync([new UpstreamOptions { Name = "remote", Url = new Uri($"http://127.0.0.1:{port}/mcp") }]);
            var (_, token) = await estate.OpenTaskAsync(["read"]);
            await using var client = await estate.ConnectAsync(token);

            var tools = (await client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name).ToList();
            Assert.Contains("echo", tools);
            Assert.DoesNotContain("write_note", tools);
            var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "over http" }, cancellationToken: Ct);
            Assert.Equal("echo: over http", Assert.IsType<TextContentBlock>(echo.Content[0]).Text);
            Assert.Contains(await estate.DecisionsAsync(), d => d.GetProperty("resource").GetString() == "McpTool::\"remote/echo\"");
        }
        finally
        {
            upstream.Kill(entireProcessTree: true);
            await upstream.WaitForExitAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task ConfigFile_ServesSeveralUpstreams_EachAtItsOwnEndpoint_WithToolActionOverrides()
    {
        var command = JsonSerializer.Serialize(new[] { "dotnet", GatewayEstate.UpstreamDll });
        var json = $$"""
            {
              // comments are allowed
              "upstreams": [
                { "name": "left", "command": {{command}} },
                { "name": "right", "command": {{command}}, "tool_actions": { "echo": "write" } }
              ],
              "limits": { "calls_per_minute_per_tool": 100 }
            }
            """;
        var config = GatewayConfigFile.Parse(Encoding.UTF8.GetBytes(json), "gateway.json");
        Assert.Equal(100, config.Limits.CallsPerMinutePerTool);
        await using var estate = await GatewayEstate.StartAsync(config.Upstreams, config.Limits);
        var (_, token) = await estate.OpenTaskAsync(["read"]);

        await using var left = await estate.ConnectAsync(token, "/left/mcp");
        await using var right = await estate.ConnectAsync(token, "/right/mcp");
        Assert.Contains("echo", (await left.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name));
        // On "right" echo is decided as write (configured), which a read-only task cannot do.
        Assert.DoesNotContain("echo", (await right.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name));
        await left.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "l" }, cancellationToken: Ct);
        await Assert.ThrowsAsync<McpProtocolException>(async () => await right.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "r" }, cancellationToken: Ct));

        var decisions = await estate.DecisionsAsync();
        Assert.Contains(decisions, d => d.GetProperty("resource").GetString() == "McpTool::\"left/echo\"" && d.GetProperty("decision").GetString() == "allow");
        Assert.Contains(decisions, d => d.GetProperty("resource").GetString() == "McpTool::\"right/echo\"" && d.GetProperty("action").GetString() == "Action::\"write\"" && d.GetProperty("decision").GetString() == "deny");

        // With several upstreams there is no bare /mcp: it is not the gateway's.
        using var bare = await estate.PostRawAsync(GatewayEstate.Initialize, token, "/mcp");
        Assert.Equal(HttpStatusCode.NotFound, bare.StatusCode);
    }

    internal static async Task RegisterAsync(GatewayEstate estate, string spiffeId)
    {
        using var admin = estate.Server.CreateAdminClient();
        using var response = await admin.PostAsJsonAsync("/v1/identities", new { spiffe_id = spiffeId, kind = "agent", owner = "team:support", purpose = "summarizes tickets for the support assistant", environment = "production", ttl_seconds = 86400 }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    internal static async Task<string> ExchangeAsync(GatewayEstate estate, string subjectToken, string actor)
    {
        using var client = new HttpClient { BaseAddress = estate.Server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", estate.Svid(actor));
        using var response = await client.PostAsync("/oauth2/token", new FormUrlEncodedContent(
        [
            new("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            new("subject_token", subjectToken),
            new("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
            new("actor_token", estate.Svid(actor)),
            new("actor_token_type", "urn:ietf:params:oauth:token-type:jwt"),
            new("scope", "read"),
        ]), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    internal static async Task WaitForAlertAsync(GatewayEstate estate, string rule)
    {
        using var admin = estate.Server.CreateAdminClient();
        for (var i = 0; i < 100; i++)
        {
            var alerts = JsonDocument.Parse(await admin.GetStringAsync($"/v1/alerts?rule={rule}", Ct)).RootElement;
            if (alerts.GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("identity").GetString() == GatewayEstate.Agent))
            {
                return;
            }

            await Task.Delay(100, Ct);
        }

        Assert.Fail($"no {rule} alert for {GatewayEstate.Agent}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitListeningAsync(int port)
    {
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync(IPAddress.Loopback, port, Ct);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, Ct);
            }
        }

        Assert.Fail("the HTTP test upstream did not start listening");
    }
}
