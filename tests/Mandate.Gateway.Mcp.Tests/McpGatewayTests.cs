using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mandate.Gateway.Mcp.Tests;

/// <summary>
/// The gateway over real processes: a real Mandate server with the demo policies, the gateway on loopback, the test
/// upstream started as a stdio process, agents with real task credentials using the official C# SDK client.
/// </summary>
public sealed class McpGatewayTests : IAsyncLifetime
{
    private readonly string notes = Directory.CreateTempSubdirectory("mandate-gateway-notes-").FullName;
    private GatewayEstate estate = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        estate = await GatewayEstate.StartAsync([GatewayEstate.StdioUpstream("notes", notes)]);

    public async ValueTask DisposeAsync()
    {
        await estate.DisposeAsync();
        Directory.Delete(notes, recursive: true);
    }

    [Fact]
    public async Task Request_WithoutCredential_Is401_PointingAtProtectedResourceMetadata()
    {
        using var response = await estate.PostRawAsync(GatewayEstate.Initialize, token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        var metadataUrl = new Uri(estate.GatewayAddress, "/.well-known/oauth-protected-resource/mcp").ToString();
        Assert.Contains($"resource_metadata=\"{metadataUrl}\"", challenge, StringComparison.Ordinal);
        Assert.DoesNotContain("error=", challenge, StringComparison.Ordinal);

        using var http = new HttpClient();
        var metadata = JsonDocument.Parse(await http.GetStringAsync(metadataUrl, Ct)).RootElement;
        Assert.Equal(new Uri(estate.GatewayAddress, "/mcp").ToString(), metadata.GetProperty("resource").GetString());
        Assert.Equal(estate.Server.Address.ToString().TrimEnd('/'), metadata.GetProperty("authorization_servers")[0].GetString());
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzcGlmZmU6Ly9kZW1vLm1hbmRhdGUubG9jYWwvYWdlbnQvc3VwcG9ydC1hc3Npc3RhbnQifQ.c2ln")]
    public async Task Request_WithInvalidCredential_Is401_InvalidToken(string token)
    {
        using var response = await estate.PostRawAsync(GatewayEstate.Initialize, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("resource_metadata=", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadOnlyTask_ListsOnlyReadTools_CallsThem_IsRefusedWrites_AndAllIsInTheLedger()
    {
        var (taskId, token) = await estate.OpenTaskAsync(["read"]);
        await using var client = await estate.ConnectAsync(token);

        var tools = (await client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["big", "crash", "echo", "pid", "slow"], tools);

        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "hello" }, cancellationToken: Ct);
        Assert.NotEqual(true, echo.IsError);
        Assert.Equal("echo: hello", Assert.IsType<TextContentBlock>(echo.Content[0]).Text);

        var refused = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("write_note", new Dictionary<string, object?> { ["name"] = "n.txt", ["text"] = "x" }, cancellationToken: Ct));
        Assert.Contains("Mandate refused tools/call of 'write_note'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("outside_", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(notes, "n.txt")), "a refused call must never reach the upstream");

        var decisions = await estate.DecisionsAsync();
        var allowed = Assert.Single(decisions, d => d.GetProperty("resource").GetString() == "McpTool::\"notes/echo\"");
        Assert.Equal("allow", allowed.GetProperty("decision").GetString());
        Assert.Equal(taskId, allowed.GetProperty("task_id").GetString());
        Assert.Equal("Action::\"read\"", allowed.GetProperty("action").GetString());
        var denied = Assert.Single(decisions, d => d.GetProperty("resource").GetString() == "McpTool::\"notes/write_note\"");
        Assert.Equal("deny", denied.GetProperty("decision").GetString());
        Assert.Equal(taskId, denied.GetProperty("task_id").GetString());
        Assert.Equal("Action::\"write\"", denied.GetProperty("action").GetString());
        Assert.Equal(GatewayEstate.Agent, denied.GetProperty("subject").GetString()!.Split('"')[1]);
        Assert.Contains("outside_", denied.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Listing decided nothing: no decision records for the tools that were only listed.
        Assert.DoesNotContain(decisions, d => d.GetProperty("resource").GetString() == "McpTool::\"notes/pid\"");
    }

    [Fact]
    public async Task WriteTask_SeesAndCallsTheDestructiveTool()
    {
        var (_, token) = await estate.OpenTaskAsync(["read", "write"]);
        await using var client = await estate.ConnectAsync(token);

        var tools = (await client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name).ToList();
        Assert.Contains("write_note", tools);
        Assert.Contains("append_log", tools);

        var written = await client.CallToolAsync("write_note", new Dictionary<string, object?> { ["name"] = "w.txt", ["text"] = "kept" }, cancellationToken: Ct);
        Assert.NotEqual(true, written.IsError);
        Assert.Equal("kept", await File.ReadAllTextAsync(Path.Combine(notes, "w.txt"), Ct));
    }

    [Fact]
    public async Task ResourcesAndPrompts_AreListedAndReadInsideTheTask()
    {
        var (_, token) = await estate.OpenTaskAsync(["read"]);
        await using var client = await estate.ConnectAsync(token);

        var resource = Assert.Single(await client.ListResourcesAsync(cancellationToken: Ct));
        var read = await client.ReadResourceAsync(resource.Uri, cancellationToken: Ct);
        Assert.Equal("read me", Assert.IsType<TextResourceContents>(read.Contents[0]).Text);

        var prompt = Assert.Single(await client.ListPromptsAsync(cancellationToken: Ct));
        var got = await client.GetPromptAsync(prompt.Name, new Dictionary<string, object?> { ["name"] = "Ada" }, cancellationToken: Ct);
        Assert.Contains("Hello, Ada", JsonSerializer.Serialize(got.Messages[0].Content, McpJsonUtilities.DefaultOptions), StringComparison.Ordinal);

        var decisions = await estate.DecisionsAsync();
        Assert.Contains(decisions, d => d.GetProperty("resource").GetString() == "McpResource::\"notes/note://readme\"" && d.GetProperty("decision").GetString() == "allow");
        Assert.Contains(decisions, d => d.GetProperty("resource").GetString() == "McpPrompt::\"notes/greet\"" && d.GetProperty("decision").GetString() == "allow");
    }

    [Fact]
    public async Task CompletedTask_MakesTheSameToken401_OnTheOpenSessionAndOnANewOne()
    {
        var (taskId, token) = await estate.OpenTaskAsync(["read"]);
        await using var client = await estate.ConnectAsync(token);
        Assert.NotEmpty(await client.ListToolsAsync(cancellationToken: Ct));

        await estate.CompleteTaskAsync(taskId);

        var call = await Assert.ThrowsAnyAsync<Exception>(async () => await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "x" }, cancellationToken: Ct));
        Assert.True(GatewayEstate.IsUnauthorized(call), call.ToString());
        var connect = await Assert.ThrowsAnyAsync<Exception>(async () => await estate.ConnectAsync(token));
        Assert.True(GatewayEstate.IsUnauthorized(connect), connect.ToString());

        using var raw = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"x"}"""), token);
        Assert.Equal(HttpStatusCode.Unauthorized, raw.StatusCode);
        Assert.Contains("error=\"invalid_token\"", raw.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadCredential_OnAWriteCall_Is401WithTheChallengeAlone_AndTheUpstreamIsNotReached()
    {
        // The call is decided while the MCP server code dispatches it: the 401 must replace whatever that code would
        // have answered, and the write must not run.
        var (taskId, token) = await estate.OpenTaskAsync(["read", "write"]);
        await estate.CompleteTaskAsync(taskId);

        using var response = await estate.PostRawAsync(GatewayEstate.CallTool("write_note", """{"name":"dead.txt","text":"must not be written"}"""), token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.False(File.Exists(Path.Combine(notes, "dead.txt")));
    }

    [Fact]
    public async Task SuspendedIdentity_MakesItsLiveTaskToken401_AndReactivationRestoresIt()
    {
        var (_, token) = await estate.OpenTaskAsync(["read"]);
        using (var ok = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"x"}"""), token))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var admin = estate.Server.CreateAdminClient();
        (await admin.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = GatewayEstate.Agent, reason = "gateway test" }, Ct)).EnsureSuccessStatusCode();
        using (var suspended = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"x"}"""), token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, suspended.StatusCode);
            Assert.Contains("error=\"invalid_token\"", suspended.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using (var listed = await estate.PostRawAsync("""{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{}}""", token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, listed.StatusCode);
        }

        (await admin.PostAsJsonAsync("/v1/identities/reactivate", new { spiffe_id = GatewayEstate.Agent, reason = "gateway test over" }, Ct)).EnsureSuccessStatusCode();
        using var again = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"x"}"""), token);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task DpopBoundTask_NeedsAProofForTheGatewayUrl_OnEveryRequest()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var taskUrl = new Uri(estate.Server.Address, "/v1/tasks").ToString();
        var (_, token) = await estate.OpenTaskAsync(["read"], DpopProofs.Create(key, "POST", taskUrl, null, DateTimeOffset.UtcNow));
        var mcpUrl = new Uri(estate.GatewayAddress, "/mcp").ToString();

        using var withoutProof = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"x"}"""), token);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutProof.StatusCode);

        using var wrongUrl = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"x"}"""), token, dpop: DpopProofs.Create(key, "POST", "http://elsewhere.example/mcp", token, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongUrl.StatusCode);

        using var proven = await estate.PostRawAsync(GatewayEstate.CallTool("echo", """{"text":"proven"}"""), token, dpop: DpopProofs.Create(key, "POST", mcpUrl, token, DateTimeOffset.UtcNow));
        var body = await proven.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, proven.StatusCode);
        Assert.Contains("echo: proven", body, StringComparison.Ordinal);

        // A list asks about every tool with the one proof of its request: the proof is checked once, not replayed.
        using var list = await estate.PostRawAsync("""{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{}}""", token, dpop: DpopProofs.Create(key, "POST", mcpUrl, token, DateTimeOffset.UtcNow));
        var listed = await list.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("\"echo\"", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("\"write_note\"", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Svid_WithoutTask_ListsNothing_AndIsRefusedEveryCall()
    {
        // The support assistant's own JWT-SVID is a valid credential but not a task: the demo policies need a task.
        var svid = estate.Svid(GatewayEstate.Agent);
        await using var client = await estate.ConnectAsync(svid);

        Assert.Empty(await client.ListToolsAsync(cancellationToken: Ct));
        var refused = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "x" }, cancellationToken: Ct));
        Assert.Contains("denied by policy", refused.Message, StringComparison.Ordinal);
    }
}
