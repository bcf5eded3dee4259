using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Mandate.Gateway.Mcp.Tests;

/// <summary>
/// <c>mandate serve --demo --mcp-gateway FILE</c> as its own process: the server starts the gateway of the file on its
/// own listen URL (printed with <c>--json</c>), which challenges an agent without a credential and refuses a forged
/// one after asking the server's decision point in-process; a broken file stops the command naming file, line and column.
/// </summary>
public sealed class HostedGatewayProcessTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("mandate-serve-gateway-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_StartsTheGatewayOfTheFile_WhichDecidesThroughTheServer()
    {
        var config = Path.Combine(directory, "gateway.json");
        var command = JsonSerializer.Serialize(new[] { "dotnet", GatewayEstate.UpstreamDll });
        var gatewayPort = FreePort();
        await File.WriteAllTextAsync(config, $$"""{ "listen": "http://127.0.0.1:{{gatewayPort}}", "upstreams": [ { "name": "notes", "command": {{command}} } ] }""", Ct);

        // The server's own configuration names where it listens (a Kestrel endpoint from the environment): the gateway
        // listens where its file says, not there too.
        var serverPort = FreePort();
        await using var serve = await GatewayProcess.StartCliAsync(
            ["serve", "--demo", "--urls", "http://127.0.0.1:0", "--state", Path.Combine(directory, "state"), "--mcp-gateway", config, "--json"],
            json => new Uri(json.GetProperty("mcp_gateways")[0].GetProperty("endpoints")[0].GetString()!),
            directory,
            new Dictionary<string, string> { ["Kestrel__Endpoints__FromEnvironment__Url"] = $"http://127.0.0.1:{serverPort}" });
        var gateway = serve.Output.GetProperty("mcp_gateways")[0];
        Assert.Equal(config, gateway.GetProperty("config").GetString());
        Assert.Equal("notes", gateway.GetProperty("upstreams")[0].GetProperty("name").GetString());
        Assert.Equal("/mcp", serve.Endpoint.AbsolutePath);
        Assert.Equal(gatewayPort, serve.Endpoint.Port);
        var origin = new Uri(serve.Endpoint.GetLeftPart(UriPartial.Authority));

        using var anonymous = await GatewayEstate.PostRawAsync(origin, GatewayEstate.Initialize, token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var metadataUrl = new Uri(origin, "/.well-known/oauth-protected-resource/mcp");
        Assert.Contains($"resource_metadata=\"{metadataUrl}\"", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var http = new HttpClient();
        var metadata = JsonDocument.Parse(await http.GetStringAsync(metadataUrl, Ct)).RootElement;
        var server = new Uri(metadata.GetProperty("authorization_servers")[0].GetString()!);
        Assert.Equal("127.0.0.1", server.Host);
        Assert.Equal(serverPort, server.Port);
        Assert.NotEqual(serverPort, origin.Port);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(server, "/healthz"), Ct)).StatusCode);

        // A well-formed JWT the server did not sign: only the decision point can tell, and it refuses it.
        using var forged = await GatewayEstate.PostRawAsync(
            origin, GatewayEstate.CallTool("echo", """{"text":"x"}"""), "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzcGlmZmU6Ly9kZW1vLm1hbmRhdGUubG9jYWwvYWdlbnQvc3VwcG9ydC1hc3Npc3RhbnQifQ.c2ln");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Contains("error=\"invalid_token\"", forged.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithABrokenGatewayFile_FailsNamingFileLineAndColumn()
    {
        var config = Path.Combine(directory, "broken.json");
        await File.WriteAllTextAsync(config, "{\n  \"upstreams\": [ { \"name\": \"notes\" } ]\n}\n", Ct);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (var argument in new[] { GatewayProcess.CliDll, "serve", "--urls", "http://127.0.0.1:0", "--state", Path.Combine(directory, "state"), "--mcp-gateway", config })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(1, process.ExitCode);
        Assert.Contains($"{config}:2:", await error, StringComparison.Ordinal);
        Assert.Contains("needs exactly one of \"command\"", await error, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
