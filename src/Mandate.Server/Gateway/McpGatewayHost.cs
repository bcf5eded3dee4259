using Mandate.Core.Decisions;
using Mandate.Core.Storage;
using Mandate.Gateway.Mcp;
using Mandate.Server.Hosting;
using Mandate.Server.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Gateway;

/// <summary>
/// The MCP gateways the server hosts (<see cref="MandateServerOptions.McpGateways"/>, <c>mandate serve --mcp-gateway
/// FILE</c>): each is the gateway of <c>mandate gateway mcp --config FILE</c>, listening on its own URL, but deciding
/// through the server's decision service in this process (<see cref="InProcessGatewayDecisionPoint"/>) instead of over
/// HTTP. They start once the server's start-up has finished (the decision point needs the policies, keys and store),
/// from <see cref="MandateServer.RunStartupAsync"/>, and stop before the server does.
/// </summary>
internal sealed partial class McpGatewayHost(
    IOptions<MandateServerOptions> options,
    AuthZenDecisionService decisions,
    StoreFreshness freshness,
    PublicBaseUrl publicUrl,
    ILogger<McpGatewayHost> logger) : IHostedService, IAsyncDisposable
{
    private readonly List<HostedMcpGateway> running = [];

    /// <summary>The gateways started so far, in the order they were configured.</summary>
    public IReadOnlyList<HostedMcpGateway> Gateways => running;

    /// <summary>Starts every configured gateway; a gateway that cannot listen stops the start naming its file.</summary>
    /// <exception cref="StartupException">A gateway could not start.</exception>
    public async Task StartGatewaysAsync(CancellationToken cancellationToken)
    {
        foreach (var config in options.Value.McpGateways)
        {
            var file = config.File;
            var gatewayOptions = new McpGatewayOptions
            {
                Listen = file.Listen ?? HostedMcpGatewayConfig.DefaultListen,
                PublicUrl = file.PublicUrl,
                Server = new Uri(publicUrl.Value()),

                // The server may not listen yet (a host started after its start-up): its bound address is read per request.
                AuthorizationServer = publicUrl.Value,
                Upstreams = file.Upstreams,
                Limits = file.Limits,
            };
            var decisionPoint = new InProcessGatewayDecisionPoint(decisions, freshness, gatewayOptions.DecisionTimeout);
            var app = McpGateway.Build(gatewayOptions, builder => ConfigureHost(builder, gatewayOptions.Listen), decisionPoint);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A port in use (an IOException naming the address), or anything else that stops this gateway: the
                // server reports it in one line naming the file, instead of a host's stack trace.
                await app.DisposeAsync();
                throw new StartupException($"MCP gateway {config.Source}: cannot listen on {gatewayOptions.Listen}: {e.Message}", e);
            }

            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? gatewayOptions.Listen.GetLeftPart(UriPartial.Authority);
            var address = new Uri(bound);
            var endpoints = file.Upstreams.Count == 1
                ? [bound.TrimEnd('/') + GatewayUpstreams.SingleEndpoint]
                : file.Upstreams.Select(u => bound.TrimEnd('/') + GatewayUpstreams.EndpointOf(u.Name)).ToList();
            running.Add(new HostedMcpGateway(config, app, address, endpoints));
            LogStarted(logger, config.Source, string.Join(", ", endpoints), string.Join(", ", file.Upstreams.Select(u => u.Name + " (" + u.Describe() + ")")));
        }
    }

    /// <summary>
    /// The gateway's host is configured by its file alone: the configuration the server reads (appsettings.json,
    /// environment: Kestrel endpoints, <c>Mandate:*</c>) is the server's, and would otherwise bind the gateway to the
    /// server's own addresses. It logs as the server does; a gateway that cannot start is reported once, by the server,
    /// not also as the host's stack trace.
    /// </summary>
    private static void ConfigureHost(WebApplicationBuilder builder, Uri listen)
    {
        // Clearing the sources clears the listen URL the gateway set as a setting too: it is set again, in memory.
        ((IConfigurationBuilder)builder.Configuration).Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls(listen.GetLeftPart(UriPartial.Authority));
        MandateServer.ConfigureLogging(builder);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops the gateways first, so no call is decided by a server that is going away.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var gateway in running)
        {
            await gateway.App.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in running)
        {
            await gateway.App.DisposeAsync();
        }

        running.Clear();
    }

    [LoggerMessage(EventId = 9020, Level = LogLevel.Information, Message = "MCP gateway {Source} serving {Endpoints} in front of {Upstreams}, deciding in-process")]
    private static partial void LogStarted(ILogger logger, string source, string endpoints, string upstreams);
}
