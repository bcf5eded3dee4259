using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Console.Tests.Infrastructure;

/// <summary>A real Mandate server with the demo estate on a loopback port and its own state directory.</summary>
internal sealed class ConsoleTestServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private ConsoleTestServer(WebApplication app, MandateServerOptions options, Uri address)
    {
        this.app = app;
        Options = options;
        Address = address;
    }

    public MandateServerOptions Options { get; }

    /// <summary>The server's origin, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    public IServiceProvider Services => app.Services;

    public string AdminToken => File.ReadAllText(Options.AdminTokenPath).Trim();

    public static async Task<ConsoleTestServer> StartAsync(Action<WebApplicationBuilder>? configure = null)
    {
        var state = Path.Combine(Path.GetTempPath(), "mandate-console-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(state);
        var options = new MandateServerOptions { Urls = "http://127.0.0.1:0", StateDirectory = state, Demo = true };
        var app = await MandateServer.CreateAsync(options, configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ConsoleTestServer(app, options, new Uri(address.TrimEnd('/') + "/"));
    }

    public HttpClient CreateAdminClient() => CreateClient(AdminToken);

    public HttpClient CreateClient(string? bearer = null, bool followRedirects = true)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = followRedirects, UseCookies = true }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    /// <summary>Adds an operator with <paramref name="roles"/> through the admin API and returns a token of theirs.</summary>
    public async Task<string> CreateOperatorTokenAsync(string name, params string[] roles)
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = CreateAdminClient();
        using (var added = await admin.PostAsJsonAsync("/v1/operators", new { name, roles }, ct))
        {
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(ct));
        }

        using var issued = await admin.PostAsJsonAsync($"/v1/operators/{name}/tokens", new { label = "console test", ttl_seconds = 3600 }, ct);
        var text = await issued.Content.ReadAsStringAsync(ct);
        Assert.True(issued.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        try
        {
            Directory.Delete(Options.StateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the runtime: the temporary directory is cleaned by the system.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
