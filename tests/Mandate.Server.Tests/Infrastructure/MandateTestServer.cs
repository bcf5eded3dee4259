using Mandate.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Infrastructure;

/// <summary>
/// A real Mandate server on a loopback port with its own state directory; tests talk to it over real HTTP.
/// </summary>
internal sealed class MandateTestServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private MandateTestServer(WebApplication app, MandateServerOptions options, Uri address)
    {
        this.app = app;
        Options = options;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public MandateServerOptions Options { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>The admin token (demo mode writes it to the state directory).</summary>
    public string AdminToken => File.ReadAllText(Options.AdminTokenPath).Trim();

    public static async Task<MandateTestServer> StartAsync(Action<MandateServerOptions>? configure = null, Action<WebApplicationBuilder>? configureBuilder = null)
    {
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(state);
        var options = new MandateServerOptions { Urls = "http://127.0.0.1:0", StateDirectory = state, Demo = true };
        configure?.Invoke(options);
        var app = await MandateServer.CreateAsync(options, configureBuilder);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MandateTestServer(app, options, new Uri(address));
    }

    /// <summary>
    /// As <c>mandate serve</c> starts: listening first, then the start-up tasks (the returned task; the caller awaits it).
    /// </summary>
    public static async Task<(MandateTestServer Server, Task Startup)> StartListeningFirstAsync(Action<MandateServerOptions>? configure = null, Action<WebApplicationBuilder>? configureBuilder = null)
    {
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(state);
        var options = new MandateServerOptions { Urls = "http://127.0.0.1:0", StateDirectory = state, Demo = true };
        configure?.Invoke(options);
        var app = MandateServer.Build(options, configureBuilder);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var startup = MandateServer.RunStartupAsync(app);
        return (new MandateTestServer(app, options, new Uri(address)), startup);
    }

    /// <summary>Options for a PostgreSQL-backed server in a fresh schema.</summary>
    public static StoreLocation PostgresLocation(string connectionString) => new(StoreKind.Postgres, connectionString);

    public HttpClient CreateAdminClient()
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    /// <summary>
    /// A client whose connections leave from another loopback address (e.g. 127.0.0.2), so the server sees another
    /// client IP without any forwarding header.
    /// </summary>
    public HttpClient CreateClientFrom(System.Net.IPAddress localAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new System.Net.IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
