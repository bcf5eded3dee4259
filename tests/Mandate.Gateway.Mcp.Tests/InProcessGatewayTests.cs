using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mandate.Core.Storage;
using Mandate.Server.Gateway;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mandate.Gateway.Mcp.Tests;

/// <summary>
/// A gateway the server hosts (<c>mandate serve --mcp-gateway FILE</c>), deciding through the server's decision service
/// in its own process: it answers as the standalone gateway does (which asks the same server over HTTP), over real HTTP
/// with real task credentials and the test upstream as a stdio process; refusals never reach the upstream, dead
/// credentials are 401, and the ledger and detection see its calls.
/// </summary>
public sealed partial class InProcessGatewayTests(InProcessGatewayTests.Estate fixture) : IClassFixture<InProcessGatewayTests.Estate>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnswersAsTheStandaloneGateway_ForEveryContractCase()
    {
        var estate = fixture.Gateways;
        var (_, token) = await estate.OpenTaskAsync(["read"]);
        string[] tokens = [token, null!, "not-a-jwt", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzcGlmZmU6Ly9kZW1vLm1hbmRhdGUubG9jYWwvYWdlbnQvc3VwcG9ydC1hc3Npc3RhbnQifQ.c2ln"];
        string[] requests =
        [
            GatewayEstate.Initialize,
            """{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{}}""",
            GatewayEstate.CallTool("echo", """{"text":"same"}"""),
            GatewayEstate.CallTool("write_note", """{"name":"parity.txt","text":"must not be written"}"""),
            """{"jsonrpc":"2.0","id":4,"method":"resources/list","params":{}}""",
            """{"jsonrpc":"2.0","id":5,"method":"resources/read","params":{"uri":"note://readme"}}""",
            """{"jsonrpc":"2.0","id":6,"method":"prompts/get","params":{"name":"greet","arguments":{"name":"Ada"}}}""",

            // Calls the decision point cannot decide: arguments over its context limit, and one key twice (argument smuggling).
            GatewayEstate.CallTool("echo", $$"""{"text":"{{new string('x', 40_000)}}"}"""),
            GatewayEstate.CallTool("echo", """{"text":"first","text":"second"}"""),
        ];

        foreach (var presented in tokens)
        {
            // Without a usable credential every request is refused before anything is decided: three kinds suffice.
            foreach (var request in presented == token ? requests : requests[..3])
            {
                using var hosted = await estate.PostRawAsync(request, presented);
                using var standalone = await GatewayEstate.PostRawAsync(fixture.Standalone, request, presented);
                var what = $"{request} with {(presented is null ? "no credential" : presented == token ? "the task credential" : presented)}";
                Assert.True(standalone.StatusCode == hosted.StatusCode, $"{what}: {standalone.StatusCode} standalone, {hosted.StatusCode} in-process");
                Assert.Equal(standalone.Content.Headers.ContentType?.MediaType, hosted.Content.Headers.ContentType?.MediaType);
                Assert.Equal(Normalized(standalone.Headers.WwwAuthenticate.ToString(), fixture.Standalone), Normalized(hosted.Headers.WwwAuthenticate.ToString(), estate.GatewayAddress));
                Assert.Equal(
                    Normalized(await standalone.Content.ReadAsStringAsync(Ct), fixture.Standalone),
                    Normalized(await hosted.Content.ReadAsStringAsync(Ct), estate.GatewayAddress));
            }
        }

        Assert.False(File.Exists(Path.Combine(fixture.Notes, "parity.txt")), "a refused call must never reach the upstream");

        // Both name the same server as the issuer of the credentials agents present (RFC 9728 metadata).
        using var http = new HttpClient();
        foreach (var gateway in new[] { estate.GatewayAddress, fixture.Standalone })
        {
            var metadata = JsonDocument.Parse(await http.GetStringAsync(new Uri(gateway, "/.well-known/oauth-protected-resource/mcp"), Ct)).RootElement;
            Assert.Equal(estate.Server.Address.ToString().TrimEnd('/'), metadata.GetProperty("authorization_servers")[0].GetString());
        }

        // The cases compared include answers, not only refusals: the allowed read came back from the upstream.
        using var echo = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"same"}"""), token);
        Assert.Contains("echo: same", await echo.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadOnlyTask_ListsOnlyReadTools_IsRefusedWrites_AndEveryCallIsInTheLedger_NamingTheAgentsAddress()
    {
        var estate = fixture.Gateways;
        var (taskId, token) = await estate.OpenTaskAsync(["read"]);
        await using var client = await estate.ConnectAsync(token);

        var tools = (await client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["big", "crash", "echo", "pid", "slow"], tools);
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "in-process" }, cancellationToken: Ct);
        Assert.Equal("echo: in-process", Assert.IsType<TextContentBlock>(echo.Content[0]).Text);
        var refused = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("write_note", new Dictionary<string, object?> { ["name"] = "inproc.txt", ["text"] = "x" }, cancellationToken: Ct));
        Assert.Contains("Mandate refused tools/call of 'write_note'", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fixture.Notes, "inproc.txt")), "a refused call must never reach the upstream");

        var decisions = (await estate.DecisionsAsync()).Where(d => d.TryGetProperty("task_id", out var t) && t.GetString() == taskId).ToList();
        var allowed = Assert.Single(decisions, d => d.GetProperty("resource").GetString() == "McpTool::\"notes/echo\"");
        Assert.Equal("allow", allowed.GetProperty("decision").GetString());
        Assert.Equal("Action::\"read\"", allowed.GetProperty("action").GetString());
        Assert.Equal(InProcessGatewayDecisionPoint.Caller, allowed.GetProperty("actor").GetString());
        Assert.Equal("127.0.0.1", allowed.GetProperty("details").GetProperty("client").GetString());
        var denied = Assert.Single(decisions, d => d.GetProperty("resource").GetString() == "McpTool::\"notes/write_note\"");
        Assert.Equal("deny", denied.GetProperty("decision").GetString());
        Assert.Equal($"Workload::\"{GatewayEstate.Agent}\"", denied.GetProperty("subject").GetString());
        Assert.Contains("outside_", denied.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Listing decided nothing: a tool only listed has no decision record.
        Assert.DoesNotContain(decisions, d => d.GetProperty("resource").GetString() == "McpTool::\"notes/pid\"");
    }

    [Fact]
    public async Task DpopBoundTask_NeedsAProofForTheHostedGatewaysUrl_OnEveryRequest()
    {
        var estate = fixture.Gateways;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (_, token) = await estate.OpenTaskAsync(["read"], DpopProofs.Create(key, "POST", new Uri(estate.Server.Address, "/v1/tasks").ToString(), null, DateTimeOffset.UtcNow));
        var mcpUrl = new Uri(estate.GatewayAddress, "/mcp").ToString();

        using var withoutProof = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"x"}"""), token);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutProof.StatusCode);
        using var otherUrl = await estate.PostRawAsync(
            GatewayEstate.CallTool("echo", """{"text":"x"}"""), token, dpop: DpopProofs.Create(key, "POST", new Uri(fixture.Standalone, "/mcp").ToString(), token, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.Unauthorized, otherUrl.StatusCode);

        var proof = DpopProofs.Create(key, "POST", mcpUrl, token, DateTimeOffset.UtcNow);
        using var proven = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"proven"}"""), token, dpop: proof);
        Assert.Equal(HttpStatusCode.OK, proven.StatusCode);
        Assert.Contains("echo: proven", await proven.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // The same proof again is a replay; a list asks about every tool with its request's one proof.
        using var replayed = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"again"}"""), token, dpop: proof);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        using var list = await estate.PostRawAsync("""{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{}}""", token, dpop: DpopProofs.Create(key, "POST", mcpUrl, token, DateTimeOffset.UtcNow));
        var listed = await list.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("\"echo\"", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("\"write_note\"", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DelegatedCredential_IsDecidedForItsActor_WithTheChainInTheLedger()
    {
        var estate = fixture.Gateways;
        await GatewayFlowTests.RegisterAsync(estate, GatewayFlowTests.SubAgent);
        var (taskId, token) = await estate.OpenTaskAsync(["read"], delegates: [GatewayFlowTests.SubAgent]);
        var exchanged = await GatewayFlowTests.ExchangeAsync(estate, token, GatewayFlowTests.SubAgent);

        await using var client = await estate.ConnectAsync(exchanged);
        Assert.DoesNotContain("write_note", (await client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name));
        await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "delegated" }, cancellationToken: Ct);

        var decision = Assert.Single(await estate.DecisionsAsync(), d =>
            d.GetProperty("resource").GetString() == "McpTool::\"notes/echo\"" && d.TryGetProperty("task_id", out var task) && task.GetString() == taskId);
        Assert.Equal($"Workload::\"{GatewayFlowTests.SubAgent}\"", decision.GetProperty("subject").GetString());
        Assert.Equal([GatewayFlowTests.SubAgent], decision.GetProperty("chain").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task DeadCredential_CompletedTaskOrRevoked_Is401_TheWriteNeverRuns_AndDetectionSeesTheReuse()
    {
        // Its own server: the reuse alert raises the agent's risk, which would stop the other tests' calls.
        var notes = Directory.CreateTempSubdirectory("mandate-inproc-dead-").FullName;
        await using var estate = await GatewayEstate.StartInProcessAsync([GatewayEstate.StdioUpstream("notes", notes)]);
        var (taskId, token) = await estate.OpenTaskAsync(["read", "write"]);
        using (var live = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"alive"}"""), token))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        await estate.CompleteTaskAsync(taskId);
        using (var completed = await estate.PostRawAsync(GatewayEstate.CallTool("write_note", """{"name":"completed.txt","text":"must not be written"}"""), token))
        {
            AssertInvalidToken(completed, estate);
        }

        using (var listed = await estate.PostRawAsync("""{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{}}""", token))
        {
            AssertInvalidToken(listed, estate);
        }

        // A live task whose credential an operator revokes is dead at once too.
        var (_, revokedToken) = await estate.OpenTaskAsync(["read", "write"]);
        using var admin = estate.Server.CreateAdminClient();
        using (var revoke = await admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "credential", target = Claim(revokedToken, "jti"), reason = "in-process gateway test" }, Ct))
        {
            Assert.True(revoke.IsSuccessStatusCode, await revoke.Content.ReadAsStringAsync(Ct));
        }

        using (var revoked = await estate.PostRawAsync(GatewayEstate.CallTool("write_note", """{"name":"revoked.txt","text":"must not be written"}"""), revokedToken))
        {
            AssertInvalidToken(revoked, estate);
        }

        Assert.False(File.Exists(Path.Combine(notes, "completed.txt")));
        Assert.False(File.Exists(Path.Combine(notes, "revoked.txt")));
        await GatewayFlowTests.WaitForAlertAsync(estate, "credential_reuse");
        Directory.Delete(notes, recursive: true);
    }

    [Fact]
    public async Task StaleViewOfASharedStore_RefusesAsTheDecisionEndpointsDo_DecidingAndForwardingNothing()
    {
        // A node of several on PostgreSQL whose listeners stopped confirming their channels must not decide (the
        // decision endpoints answer 503 state-stale): nor may the gateway it hosts, which asks no endpoint.
        var timestamps = new SteppedTimestamps();
        var notes = Directory.CreateTempSubdirectory("mandate-inproc-stale-").FullName;
        await using var estate = await GatewayEstate.StartInProcessAsync(
            [GatewayEstate.StdioUpstream("notes", notes)],
            configureServer: b => b.Services.AddSingleton(sp => new StoreFreshness(sp.GetRequiredService<IOptions<ClusterOptions>>(), timestamps, new SharedStoreNotifications())));
        var standalone = await estate.StartStandaloneGatewayAsync([GatewayEstate.StdioUpstream("notes", notes)]);
        var (_, token) = await estate.OpenTaskAsync(["read", "write"]);
        var freshness = estate.Server.Services.GetRequiredService<StoreFreshness>();
        freshness.Watch("mandate_revocations_");
        timestamps.Advance(freshness.Bound + TimeSpan.FromSeconds(1));

        foreach (var gateway in new[] { estate.GatewayAddress, standalone })
        {
            using var refused = await GatewayEstate.PostRawAsync(gateway, GatewayEstate.CallTool("write_note", """{"name":"stale.txt","text":"must not be written"}"""), token);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("decision-point-unavailable", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            using var listed = await GatewayEstate.PostRawAsync(gateway, """{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{}}""", token);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, listed.StatusCode);
        }

        Assert.False(File.Exists(Path.Combine(notes, "stale.txt")), "a call refused for a stale view must never reach the upstream");
        Assert.DoesNotContain(await estate.DecisionsAsync(), d => d.GetProperty("resource").GetString()!.StartsWith("McpTool::", StringComparison.Ordinal));

        // Confirmed again: the hosted gateway decides again.
        freshness.Confirm("mandate_revocations_");
        using var again = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"fresh"}"""), token);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Directory.Delete(notes, recursive: true);
    }

    private static void AssertInvalidToken(HttpResponseMessage response, GatewayEstate estate)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        Assert.Contains($"resource_metadata=\"{new Uri(estate.GatewayAddress, "/.well-known/oauth-protected-resource/mcp")}\"", challenge, StringComparison.Ordinal);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static string Claim(string jwt, string name)
    {
        var payload = jwt.Split('.')[1];
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(payload.Replace('-', '+').Replace('_', '/').PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=')));
        return JsonDocument.Parse(json).RootElement.GetProperty(name).GetString()!;
    }

    /// <summary>The parts of an answer that differ by gateway and never by decision: its own address, a decision's id.</summary>
    private static string Normalized(string text, Uri gateway) =>
        DecisionId().Replace(text.Replace(gateway.ToString().TrimEnd('/'), "GATEWAY", StringComparison.Ordinal), "decision D");

    [GeneratedRegex(@"decision [A-Za-z0-9_\-]+")]
    private static partial Regex DecisionId();

    /// <summary>Timestamps that move only when told to (<see cref="StoreFreshness"/> measures with them).</summary>
    private sealed class SteppedTimestamps : TimeProvider
    {
        private long now = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref now);

        public void Advance(TimeSpan by) => Interlocked.Add(ref now, by.Ticks);
    }

    /// <summary>A store other nodes commit to (freshness applies); nothing listens through it here.</summary>
    private sealed class SharedStoreNotifications : IStoreNotifications
    {
        public bool Shared => true;

        public Task ListenAsync(string channel, Func<string, Task> onPayload, Func<Task> onListening, Action onAlive, TimeSpan heartbeat, CancellationToken cancellationToken) =>
            Task.Delay(Timeout.Infinite, cancellationToken);
    }

    /// <summary>
    /// One server hosting a gateway (in front of the test upstream, "notes"), and a standalone gateway in front of the
    /// same server with its own instance of the same upstream, both writing to one notes directory.
    /// </summary>
    public sealed class Estate : IAsyncLifetime
    {
        public string Notes { get; } = Directory.CreateTempSubdirectory("mandate-inproc-notes-").FullName;

        internal GatewayEstate Gateways { get; private set; } = null!;

        public Uri Standalone { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Gateways = await GatewayEstate.StartInProcessAsync([GatewayEstate.StdioUpstream("notes", Notes)]);
            Standalone = await Gateways.StartStandaloneGatewayAsync([GatewayEstate.StdioUpstream("notes", Notes)]);
        }

        public async ValueTask DisposeAsync()
        {
            await Gateways.DisposeAsync();
            Directory.Delete(Notes, recursive: true);
        }
    }
}
