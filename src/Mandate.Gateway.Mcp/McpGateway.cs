using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// The composition of one gateway process: Kestrel on the listen URL, the MCP Streamable HTTP endpoints (the official
/// SDK's server, stateless, with the gateway's handlers), the enforcement middleware in front of them, and the RFC 9728
/// protected-resource metadata agents are pointed at by the 401 challenge.
/// </summary>
internal static class McpGateway
{
    public const string WellKnownMetadata = "/.well-known/oauth-protected-resource";

    /// <summary>How the gateway names itself to agents (the SDK's server, and <see cref="GatewayToolCallAnswer"/> alike).</summary>
    public static Implementation ServerInfo() =>
        new() { Name = "mandate-mcp-gateway", Version = typeof(McpGateway).Assembly.GetName().Version?.ToString(3) ?? "0.1.0" };

    /// <param name="options">The gateway.</param>
    /// <param name="configure">Changes to the host before it is built (logging, a test's services).</param>
    /// <param name="decisionPoint">
    /// Where calls are decided: null for the Mandate server at <see cref="McpGatewayOptions.Server"/> over HTTP (the
    /// standalone gateway), or the server's own decision service when the server hosts the gateway.
    /// </param>
    public static WebApplication Build(McpGatewayOptions options, Action<WebApplicationBuilder>? configure = null, IGatewayDecisionPoint? decisionPoint = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Listen.GetLeftPart(UriPartial.Authority));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.Limits.MaxRequestBytes + 1);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Mandate", LogLevel.Information);
        // The SDK's server logs a refused call (an McpProtocolException) as a failed handler; the gateway logs refusals itself.
        builder.Logging.AddFilter("ModelContextProtocol.Server", LogLevel.Critical);
        var services = builder.Services;
        services.AddHttpContextAccessor();
        services.AddSingleton(options);
        services.AddSingleton(sp => new GatewayUpstreams(
            options.Upstreams.Select(u => new UpstreamServer(u, options.Limits, sp.GetRequiredService<ILoggerFactory>())).ToList()));
        if (decisionPoint is not null)
        {
            services.AddSingleton(decisionPoint);
        }
        else
        {
            services.AddSingleton<IGatewayDecisionPoint>(_ => new DecisionPointClient(DecisionPointClient.CreateHttpClient(options)));
        }

        services.AddSingleton(_ => new GatewayRateLimits(options.Limits));
        services.AddSingleton<GatewayPublicUrl>();
        services.AddSingleton<GatewayCallCounts>();
        services.AddMcpServer(o =>
            {
                o.ServerInfo = ServerInfo();
                o.ServerInstructions = "Mandate MCP gateway: every call is decided by the Mandate decision point with the agent's task and delegation chain.";
            })
            .WithHttpTransport(t => t.Stateless = true)
            .WithListToolsHandler(GatewayHandlers.ListToolsAsync)
            .WithCallToolHandler(GatewayHandlers.CallToolAsync)
            .WithListResourcesHandler(GatewayHandlers.ListResourcesAsync)
            .WithListResourceTemplatesHandler(GatewayHandlers.ListResourceTemplatesAsync)
            .WithReadResourceHandler(GatewayHandlers.ReadResourceAsync)
            .WithListPromptsHandler(GatewayHandlers.ListPromptsAsync)
            .WithGetPromptHandler(GatewayHandlers.GetPromptAsync);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseMiddleware<GatewayMiddleware>();
        var upstreams = app.Services.GetRequiredService<GatewayUpstreams>();
        if (upstreams.Servers.Count == 1)
        {
            MapEndpoint(app, GatewayUpstreams.SingleEndpoint);
        }

        foreach (var server in upstreams.Servers)
        {
            MapEndpoint(app, GatewayUpstreams.EndpointOf(server.Name));
        }

        return app;
    }

    private static void MapEndpoint(WebApplication app, string path)
    {
        app.MapMcp(path);
        app.MapGet(WellKnownMetadata + path, (GatewayPublicUrl url, McpGatewayOptions options) =>
        {
            // RFC 9728 §2: the resource is the MCP endpoint; Mandate issues the credentials agents present here.
            var metadata = new JsonObject
            {
                ["resource"] = url.For(path),
                ["authorization_servers"] = new JsonArray(
                    options.AuthorizationServer?.Invoke() ?? options.Server.GetLeftPart(UriPartial.Authority) + options.Server.AbsolutePath.TrimEnd('/')),
                ["bearer_methods_supported"] = new JsonArray("header"),
                ["resource_name"] = "Mandate MCP gateway",
                ["dpop_signing_alg_values_supported"] = new JsonArray("ES256", "ES384", "RS256", "PS256"),
            };
            return Results.Text(metadata.ToJsonString(), "application/json");
        });
    }
}
