using Mandate.Server.Tests.Infrastructure;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mandate.Gateway.Mcp.Tests;

/// <summary>
/// With things nobody here wrote: the reference filesystem MCP server (npm <c>@modelcontextprotocol/server-filesystem</c>,
/// installed into tests/tools/mcp by ./test.sh with <c>npm ci</c>) behind <c>mandate gateway mcp</c> run as its own
/// process, and behind a gateway the server hosts (deciding in-process), driven by the official C# SDK client with a
/// real task credential under the demo policies.
/// </summary>
public sealed class FilesystemServerTests : IAsyncLifetime
{
    private readonly string files = Directory.CreateTempSubdirectory("mandate-fs-").FullName;
    private readonly string tokenFile = Path.GetTempFileName();
    private GatewayEstate? estate;
    private GatewayProcess? gateway;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await File.WriteAllTextAsync(tokenFile, TestPep.Token, Ct);
        await File.WriteAllTextAsync(Path.Combine(files, "hello.txt"), "hello from the filesystem server", Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (gateway is not null)
        {
            await gateway.DisposeAsync();
        }

        if (estate is not null)
        {
            await estate.DisposeAsync();
        }

        File.Delete(tokenFile);
        Directory.Delete(files, recursive: true);
    }

    [Fact]
    public async Task ReadOnlyTask_ListsOnlyReadTools_ReadsAFile_IsRefusedWriteFile_AndIsDeadAfterTheTaskCompletes()
    {
        var server = FilesystemServer();
        estate = await GatewayEstate.StartAsync([GatewayEstate.StdioUpstream("unused")]);
        gateway = await GatewayProcess.StartAsync(
            "--name", "files",
            "--upstream", $"stdio:node '{server}' '{files}'",
            "--listen", "http://127.0.0.1:0",
            "--server", estate.Server.Address.ToString(),
            "--token-file", tokenFile);
        await TheStoryAsync(estate, gateway.Endpoint);
    }

    [Fact]
    public async Task HostedByTheServer_TheSameStoryHolds()
    {
        var server = FilesystemServer();
        estate = await GatewayEstate.StartInProcessAsync([new UpstreamOptions { Name = "files", Command = ["node", server, files] }]);
        await TheStoryAsync(estate, new Uri(estate.GatewayAddress, "/mcp"));
    }

    /// <summary>A read-only task lists only read tools, reads a file, is refused write_file (not written), and is 401 once completed.</summary>
    private async Task TheStoryAsync(GatewayEstate estate, Uri endpoint)
    {
        var (taskId, token) = await estate.OpenTaskAsync(["read"]);

        await using (var client = await ConnectAsync(endpoint, token))
        {
            var tools = await client.ListToolsAsync(cancellationToken: Ct);
            Assert.NotEmpty(tools);
            Assert.All(tools, t => Assert.True(t.ProtocolTool.Annotations?.ReadOnlyHint, $"{t.Name} is listed but not read-only"));
            var names = tools.Select(t => t.Name).ToList();
            Assert.Contains("read_text_file", names);
            Assert.DoesNotContain("write_file", names);
            Assert.DoesNotContain("edit_file", names);
            Assert.DoesNotContain("move_file", names);

            var read = await client.CallToolAsync("read_text_file", new Dictionary<string, object?> { ["path"] = Path.Combine(files, "hello.txt") }, cancellationToken: Ct);
            Assert.NotEqual(true, read.IsError);
            Assert.Contains("hello from the filesystem server", Assert.IsType<TextContentBlock>(read.Content[0]).Text, StringComparison.Ordinal);

            var written = Path.Combine(files, "written.txt");
            var refused = await Assert.ThrowsAsync<McpProtocolException>(async () =>
                await client.CallToolAsync("write_file", new Dictionary<string, object?> { ["path"] = written, ["content"] = "must not exist" }, cancellationToken: Ct));
            Assert.Contains("Mandate refused tools/call of 'write_file'", refused.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(written), "the refused write_file reached the filesystem server");
        }

        var decisions = await estate.DecisionsAsync();
        Assert.Contains(decisions, d => d.GetProperty("resource").GetString() == "McpTool::\"files/read_text_file\"" && d.GetProperty("decision").GetString() == "allow" && d.GetProperty("task_id").GetString() == taskId);
        Assert.Contains(decisions, d => d.GetProperty("resource").GetString() == "McpTool::\"files/write_file\"" && d.GetProperty("decision").GetString() == "deny" && d.GetProperty("task_id").GetString() == taskId);

        await estate.CompleteTaskAsync(taskId);
        var dead = await Assert.ThrowsAnyAsync<Exception>(async () => await ConnectAsync(endpoint, token));
        Assert.True(GatewayEstate.IsUnauthorized(dead), dead.ToString());
    }

    private static async Task<McpClient> ConnectAsync(Uri endpoint, string token) =>
        await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = endpoint,
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
            }),
            cancellationToken: Ct);

    /// <summary>The installed server's entry point; skipped only when Node.js or npm is not on this machine at all.</summary>
    private static string FilesystemServer()
    {
        var entry = Path.Combine(RepositoryRoot.Path, "tests", "tools", "mcp", "node_modules", "@modelcontextprotocol", "server-filesystem", "dist", "index.js");
        if (!OnPath("node") || !OnPath("npm"))
        {
            Assert.Skip("Node.js and npm are not installed: the reference filesystem MCP server cannot run (install nodejs and npm to run this test).");
        }

        Assert.True(File.Exists(entry), $"the reference filesystem MCP server is not installed: run 'npm ci' in tests/tools/mcp (./test.sh does). Missing: {entry}");
        return entry;
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Any(directory => File.Exists(Path.Combine(directory, program)));
}
