using System.Net;
using System.Text;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mandate.Gateway.Mcp.Tests;

/// <summary>
/// What keeps one agent or one upstream from taking the others down, over real processes: per-credential and per-tool
/// rate limits (429 with Retry-After), the request size cap (413), the response size cap, the upstream timeout, and an
/// upstream that crashes (a clear error, then a restart with backoff).
/// </summary>
public sealed class GatewayLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Credential_OverItsRequestsPerMinute_Gets429_WithRetryAfter()
    {
        await using var estate = await GatewayEstate.StartAsync([GatewayEstate.StdioUpstream("notes")], new GatewayLimits { RequestsPerMinutePerCredential = 3 });
        var (_, token) = await estate.OpenTaskAsync(["read"]);
        var (_, other) = await estate.OpenTaskAsync(["read"]);

        for (var i = 0; i < 3; i++)
        {
            using var ok = await estate.PostRawAsync(GatewayEstate.Initialize, token);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await estate.PostRawAsync(GatewayEstate.Initialize, token);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);

        // Another credential has its own budget.
        using var otherAgent = await estate.PostRawAsync(GatewayEstate.Initialize, other);
        Assert.Equal(HttpStatusCode.OK, otherAgent.StatusCode);
    }

    [Fact]
    public async Task Tool_OverItsCallsPerMinute_Gets429_ForEveryone()
    {
        await using var estate = await GatewayEstate.StartAsync([GatewayEstate.StdioUpstream("notes")], new GatewayLimits { CallsPerMinutePerTool = 2 });
        var (_, first) = await estate.OpenTaskAsync(["read"]);
        var (_, second) = await estate.OpenTaskAsync(["read"]);

        using var one = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"1"}"""), first);
        using var two = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"2"}"""), second);
        using var three = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"3"}"""), first);
        using var otherTool = await estate.PostRawAsync(GatewayEstate.CallTool("pid"), second);

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, three.StatusCode);
        Assert.Contains("notes/echo", await three.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, otherTool.StatusCode);

        // A tool already at its limit costs no decision: the ledger holds the two calls that ran.
        Assert.Equal(2, (await estate.DecisionsAsync()).Count(d => d.GetProperty("resource").GetString() == "McpTool::\"notes/echo\""));
    }

    [Fact]
    public async Task Request_LargerThanTheCap_Is413_BeforeAnythingIsDecided()
    {
        await using var estate = await GatewayEstate.StartAsync([GatewayEstate.StdioUpstream("notes")], new GatewayLimits { MaxRequestBytes = 2048 });
        var (_, token) = await estate.OpenTaskAsync(["read"]);
        var before = (await estate.DecisionsAsync()).Count;

        using var response = await estate.PostRawAsync(GatewayEstate.CallTool("echo", $$"""{"text":"{{new string('x', 4096)}}"}"""), token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, (await estate.DecisionsAsync()).Count);
    }

    [Fact]
    public async Task DecisionPoint_RefusingTheGatewaysOwnCredential_Is503_AndNothingPasses()
    {
        await using var estate = await GatewayEstate.StartAsync([GatewayEstate.StdioUpstream("notes")], serverToken: "mpt_not-a-pep-credential-of-this-server-0123456789");
        var (_, token) = await estate.OpenTaskAsync(["read"]);

        using var initialize = await estate.PostRawAsync(GatewayEstate.Initialize, token);
        using var call = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"x"}"""), token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, initialize.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, call.StatusCode);
        Assert.Contains("decision-point-unavailable", await call.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamAnswer_LargerThanTheCap_IsAnMcpError()
    {
        await using var estate = await GatewayEstate.StartAsync([GatewayEstate.StdioUpstream("notes")], new GatewayLimits { MaxResponseBytes = 4096 });
        var (_, token) = await estate.OpenTaskAsync(["read"]);
        await using var client = await estate.ConnectAsync(token);

        var small = await client.CallToolAsync("big", new Dictionary<string, object?> { ["size"] = 100 }, cancellationToken: Ct);
        Assert.Equal(100, Assert.IsType<TextContentBlock>(small.Content[0]).Text.Length);
        var error = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("big", new Dictionary<string, object?> { ["size"] = 20_000 }, cancellationToken: Ct));
        Assert.Contains("passes on at most 4096", error.Message, StringComparison.Ordinal);

        // Arguments over the decision point's context limit (32 KiB) cannot be decided: refused with that reason, not
        // reported as an outage, and never forwarded.
        var tooLarge = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = new string('x', 40_000) }, cancellationToken: Ct));
        Assert.Contains("Mandate refused tools/call of 'echo': input-too-large", tooLarge.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowUpstream_IsAnMcpError_AfterTheTimeout()
    {
        await using var estate = await GatewayEstate.StartAsync([GatewayEstate.StdioUpstream("notes")], new GatewayLimits { UpstreamTimeout = TimeSpan.FromSeconds(3) });
        var (_, token) = await estate.OpenTaskAsync(["read"]);
        await using var client = await estate.ConnectAsync(token);
        Assert.NotEmpty(await client.ListToolsAsync(cancellationToken: Ct));

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("slow", new Dictionary<string, object?> { ["milliseconds"] = 30_000 }, cancellationToken: Ct));
        Assert.Contains("did not answer within 3 s", error.Message, StringComparison.Ordinal);

        // The upstream is still there for the next call.
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "after" }, cancellationToken: Ct);
        Assert.Equal("echo: after", Assert.IsType<TextContentBlock>(echo.Content[0]).Text);
    }

    [Fact]
    public async Task CrashedUpstream_IsAClearError_ThenRestartedWithBackoff()
    {
        await using var estate = await GatewayEstate.StartAsync(
            [GatewayEstate.StdioUpstream("notes")],
            new GatewayLimits { MinRestartDelay = TimeSpan.FromMilliseconds(300), MaxRestartDelay = TimeSpan.FromSeconds(2) });
        var (_, token) = await estate.OpenTaskAsync(["read"]);
        await using var client = await estate.ConnectAsync(token);
        var firstPid = await PidAsync(client);

        var crash = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.CallToolAsync("crash", cancellationToken: Ct));
        Assert.Contains("MCP server 'notes'", crash.Message, StringComparison.Ordinal);

        // Restarted in the background after the delay: the same agent goes on with a new process.
        int? secondPid = null;
        for (var i = 0; i < 100 && secondPid is null; i++)
        {
            try
            {
                secondPid = await PidAsync(client);
            }
            catch (McpProtocolException e) when (e.Message.Contains("MCP server 'notes'", StringComparison.Ordinal))
            {
                await Task.Delay(100, Ct);
            }
        }

        Assert.NotNull(secondPid);
        Assert.NotEqual(firstPid, secondPid);
        var upstream = Assert.Single(((GatewayUpstreams)estate.GatewayServices.GetService(typeof(GatewayUpstreams))!).Servers);
        Assert.True(upstream.Restarts >= 1);
    }

    private static async Task<int> PidAsync(McpClient client)
    {
        var result = await client.CallToolAsync("pid", cancellationToken: Ct);
        return int.Parse(Assert.IsType<TextContentBlock>(result.Content[0]).Text, System.Globalization.CultureInfo.InvariantCulture);
    }
}
