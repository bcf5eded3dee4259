using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mandate.Cli.Tests.Contract;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Cli.Tests.Install;

/// <summary>
/// <c>mandate health</c>, the probe the image's health check and exec probes run: 0 only for a 2xx answer from the
/// real server; 1 for anything else, an unreachable server and a 503 included (health checks reserve 2). With
/// <c>--json</c>, one JSON object on standard output whatever the outcome, and the same exit codes.
/// </summary>
public sealed class HealthCommandTests(ContractServer server) : IClassFixture<ContractServer>
{
    [Fact]
    public async Task Health_ShouldExit0_ForALiveServer_OnHealthzAndReadyz()
    {
        var (code, output, error) = await Cli.RunAsync("health", "--server", server.Url);
        Assert.True(code == 0, error);
        Assert.Contains("\"up\"", output, StringComparison.Ordinal);

        (code, output, error) = await Cli.RunAsync("health", "--ready", "--url", server.Url.TrimEnd('/') + "/readyz");
        Assert.True(code == 0, error);
        Assert.Contains("ready", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ShouldExit1_WhenNothingListens()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var (code, output, error) = await Cli.RunAsync("health", "--url", $"http://127.0.0.1:{port}/healthz", "--timeout", "5");
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.StartsWith($"mandate: error: http://127.0.0.1:{port}/healthz is unreachable", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ShouldExit1_OnA503_AndNameTheAnswer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/readyz", () => Results.Json(new { status = "not ready" }, statusCode: 503));
        await app.StartAsync(TestContext.Current.CancellationToken);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var (code, output, error) = await Cli.RunAsync("health", "--ready", "--server", url);
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains("answered 503", error, StringComparison.Ordinal);
        Assert.Contains("not ready", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthJson_ShouldAnswerOneObject_ForAHealthyServer()
    {
        var (code, output, error) = await Cli.RunAsync("health", "--ready", "--server", server.Url, "--json");
        Assert.True(code == 0, error);
        var answer = JsonDocument.Parse(output).RootElement;
        Assert.True(answer.GetProperty("healthy").GetBoolean());
        Assert.Equal(200, answer.GetProperty("status").GetInt32());
        Assert.Equal(server.Url.TrimEnd('/') + "/readyz", answer.GetProperty("url").GetString());
        Assert.Equal("ready", answer.GetProperty("answer").GetProperty("status").GetString());
        Assert.False(answer.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task HealthJson_ShouldAnswerOneObject_AndExit1_OnA503_AndWhenNothingListens()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/readyz", () => Results.Json(new { status = "not ready" }, statusCode: 503));
        await app.StartAsync(TestContext.Current.CancellationToken);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var (code, output, error) = await Cli.RunAsync("health", "--ready", "--server", url, "--json");
        Assert.Equal(1, code);
        var answer = JsonDocument.Parse(output).RootElement;
        Assert.False(answer.GetProperty("healthy").GetBoolean());
        Assert.Equal(503, answer.GetProperty("status").GetInt32());
        Assert.Equal("not ready", answer.GetProperty("answer").GetProperty("status").GetString());
        Assert.Contains("answered 503", error, StringComparison.Ordinal);

        await app.StopAsync(TestContext.Current.CancellationToken);
        (code, output, _) = await Cli.RunAsync("health", "--url", url.TrimEnd('/') + "/healthz", "--timeout", "5", "--json");
        Assert.Equal(1, code);
        answer = JsonDocument.Parse(output).RootElement;
        Assert.False(answer.GetProperty("healthy").GetBoolean());
        Assert.False(answer.TryGetProperty("status", out _));
        Assert.Contains("is unreachable", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ShouldRefuseAUrlThatIsNotHttp()
    {
        var (code, _, error) = await Cli.RunAsync("health", "--url", "ftp://127.0.0.1/healthz");
        Assert.Equal(2, code);
        Assert.Contains("--url", error, StringComparison.Ordinal);
    }
}
