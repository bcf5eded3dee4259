using System.CommandLine;
using Mandate.Cli.Grammar;
using Mandate.Gateway.Mcp;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate gateway mcp --name NAME --upstream stdio:COMMAND…|URL --listen URL [--server URL] [--tool-action TOOL=read|write]…</c>,
/// or <c>--config FILE</c> for several upstreams and the limits: an enforcement point in front of MCP servers that
/// asks the Mandate server about every call (docs/mcp-gateway.md). It authenticates to the server with
/// <c>--token-file</c> (a PEP credential, or the admin token), like every client command.
/// </summary>
internal static class GatewayCommand
{
    public const string DefaultListen = "http://127.0.0.1:8090";

    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "gateway",
        "Enforcement gateways that put the Mandate decision point in front of agents' tools.",
        Mcp(globals));

    private static Command Mcp(GlobalOptions globals)
    {
        var name = new Option<string?>("--name") { Description = "The upstream's name: McpServer::\"NAME\", and the prefix of its tools' ids (NAME/tool).", HelpName = "NAME" };
        var upstream = new Option<string?>("--upstream") { Description = "stdio:COMMAND ARGS… (a process the gateway starts) or the http(s) URL of a Streamable HTTP MCP endpoint.", HelpName = "UPSTREAM" };
        var listen = new Option<string?>("--listen") { Description = $"Where agents reach the gateway; MCP is served at <listen>/mcp (default {DefaultListen}).", HelpName = "URL" };
        var publicUrl = new Option<string?>("--public-url") { Description = "The gateway's URL as agents see it (metadata, DPoP htu), when a proxy is in front. Default: the listen address.", HelpName = "URL" };
        var toolAction = new Option<string[]>("--tool-action") { Description = "Decide TOOL as read or write whatever its annotations say (repeatable).", HelpName = "TOOL=read|write", AllowMultipleArgumentsPerToken = false };
        var config = new Option<FileInfo?>("--config") { Description = "A JSON file with several upstreams and the limits (docs/mcp-gateway.md); the other options override its listen, server and public URL.", HelpName = "FILE" };
        var command = new Command("mcp", "Serve MCP (Streamable HTTP) in front of an MCP server, deciding every call with the agent's task, chain and risk.")
        {
            name, upstream, listen, publicUrl, toolAction, config,
        };
        CliAction.Set(command, globals, async context =>
        {
            var options = await OptionsAsync(context, name, upstream, listen, publicUrl, toolAction, config);
            await using var app = McpGateway.Build(options);
            try
            {
                await app.StartAsync(context.CancellationToken);
            }
            catch (IOException ex)
            {
                throw CliException.Failed($"cannot listen: {ex.Message}");
            }

            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? options.Listen.ToString();
            var endpoints = options.Upstreams.Count == 1
                ? [bound.TrimEnd('/') + GatewayUpstreams.SingleEndpoint]
                : options.Upstreams.Select(u => bound.TrimEnd('/') + GatewayUpstreams.EndpointOf(u.Name)).ToArray();
            if (context.Json)
            {
                await context.Output.JsonAsync(new
                {
                    listen = bound,
                    server = options.Server.ToString(),
                    upstreams = options.Upstreams.Select(u => new { name = u.Name, upstream = u.Describe() }),
                    endpoints,
                });
            }
            else
            {
                foreach (var server in options.Upstreams)
                {
                    await context.Output.LineAsync($"MCP gateway {server.Name} ({server.Describe()})");
                }

                await context.Output.LineAsync($"Serving MCP at {string.Join(", ", endpoints)}; deciding at {options.Server} (Ctrl+C to stop)");
            }

            await app.WaitForShutdownAsync(context.CancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<McpGatewayOptions> OptionsAsync(
        CliContext context, Option<string?> name, Option<string?> upstream, Option<string?> listen, Option<string?> publicUrl, Option<string[]> toolAction, Option<FileInfo?> config)
    {
        GatewayConfigFile? file = null;
        if (context.Value(config) is { } configFile)
        {
            if (!configFile.Exists)
            {
                throw CliException.Usage($"--config: the file '{configFile.FullName}' does not exist.");
            }

            if (context.Value(upstream) is not null || context.Value(name) is not null)
            {
                throw CliException.Usage("--config names the upstreams: give either --config or --name and --upstream.");
            }

            try
            {
                file = GatewayConfigFile.Read(configFile.FullName);
            }
            catch (GatewayConfigException ex)
            {
                throw CliException.Failed(ex.Message);
            }
        }

        IReadOnlyList<UpstreamOptions> upstreams;
        if (file is not null)
        {
            if (context.Value(toolAction) is { Length: > 0 })
            {
                throw CliException.Usage("--tool-action applies to --upstream; with --config, put tool_actions in the file.");
            }

            upstreams = file.Upstreams;
        }
        else
        {
            var serverName = context.Value(name) ?? throw CliException.Usage("--name is required (or --config FILE).");
            if (UpstreamNames.Problem(serverName) is { } problem)
            {
                throw CliException.Usage("--name: " + problem);
            }

            var upstreamText = context.Value(upstream) ?? throw CliException.Usage("--upstream is required (or --config FILE).");
            var (command, url, error) = UpstreamNames.ParseUpstream(upstreamText);
            if (error is not null)
            {
                throw CliException.Usage("--upstream: " + error);
            }

            upstreams = [new UpstreamOptions { Name = serverName, Command = command, Url = url, ToolActions = ToolActions(context.Value(toolAction) ?? []) }];
        }

        var listenUrl = Url(context.Value(listen), "--listen") ?? file?.Listen ?? new Uri(DefaultListen);
        var server = context.Parse.GetValue(context.Globals.Server) is { Length: > 0 } || file?.Server is null
            ? AdminApi.ResolveServer(context)
            : file.Server;
        return new McpGatewayOptions
        {
            Listen = listenUrl,
            PublicUrl = Url(context.Value(publicUrl), "--public-url") ?? file?.PublicUrl,
            Server = server,
            ServerToken = await AdminApi.AdminTokenAsync(context),
            Upstreams = upstreams,
            Limits = file?.Limits ?? new GatewayLimits(),
        };
    }

    private static Dictionary<string, string> ToolActions(string[] values)
    {
        var actions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var separator = value.LastIndexOf('=');
            var action = separator > 0 ? value[(separator + 1)..] : null;
            if (action is not (GatewayTargets.Read or GatewayTargets.Write))
            {
                throw CliException.Usage($"--tool-action: '{value}' is not TOOL=read or TOOL=write.");
            }

            actions[value[..separator]] = action;
        }

        return actions;
    }

    private static Uri? Url(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        return UpstreamNames.HttpUrl(text) is { } url && string.IsNullOrEmpty(url.Query) && string.IsNullOrEmpty(url.Fragment)
            ? url
            : throw CliException.Usage($"{option}: '{text}' is not an absolute http(s) URL.");
    }
}
