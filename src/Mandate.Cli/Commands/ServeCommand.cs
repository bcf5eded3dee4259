using System.CommandLine;
using Mandate.Cli.Grammar;
using Mandate.Core.Storage;
using Mandate.Gateway.Mcp;
using Mandate.Server;
using Mandate.Server.Gateway;
using Mandate.Server.Hosting;
using Mandate.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate serve [--data DIR] [--demo] [--urls URL] [--http2-urls URL] [--public-url URL] [--store sqlite:PATH|postgres:CONNSTR]
/// [--mcp-gateway FILE]…</c>.
/// </summary>
internal static class ServeCommand
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public static Command Create(GlobalOptions globals)
    {
        var urls = new Option<string>("--urls") { Description = "Listen URLs, separated by ';'.", HelpName = "URL", DefaultValueFactory = _ => MandateServerOptions.DefaultUrls };
        var store = new Option<string?>("--store") { Description = "The store: " + StoreLocation.AcceptedForms + ". Default: sqlite:./.mandate/mandate.db.", HelpName = "STORE" };
        var demo = new Option<bool>("--demo") { Description = "Seed the demo estate and write an admin token to ./.mandate/admin.token." };
        var data = new Option<DirectoryInfo?>("--data") { Description = "Load *.cedar policies, entities.json and schema.cedarschema from DIR.", HelpName = "DIR" };
        var state = new Option<string>("--state") { Description = "Directory for the server's own state (default store, admin token).", HelpName = "DIR", DefaultValueFactory = _ => ".mandate" };

        var publicUrl = new Option<string?>("--public-url") { Description = "The server's public base URL (DPoP htu, AuthZEN metadata). Default: the first listen URL.", HelpName = "URL" };
        var http2Urls = new Option<string?>("--http2-urls") { Description = "Also listen for cleartext HTTP/2 (h2c, prior knowledge) on these http:// URLs, separated by ';'.", HelpName = "URL" };
        var mcpGateways = new Option<FileInfo[]>("--mcp-gateway")
        {
            Description = "Also run an MCP gateway configured by FILE (the file of 'mandate gateway mcp --config'), on its own listen URL, deciding in this process (repeatable).",
            HelpName = "FILE",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("serve", "Start the Mandate server.") { urls, store, demo, data, state, publicUrl, http2Urls, mcpGateways };
        CliAction.Set(command, globals, async context =>
        {
            var parse = context.Parse;
            var cancellationToken = context.CancellationToken;
            var options = new MandateServerOptions
            {
                Urls = parse.GetValue(urls)!,
                Demo = parse.GetValue(demo),
                StateDirectory = parse.GetValue(state)!,
                PublicUrl = parse.GetValue(publicUrl),
                Http2Urls = parse.GetValue(http2Urls),
            };
            if (options.Http2Urls is { } h2c && h2c.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Any(u => !u.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || !Uri.TryCreate(u, UriKind.Absolute, out _)))
            {
                throw CliException.Usage("--http2-urls: cleartext http:// URLs only (HTTP/2 over TLS is offered on --urls https:// by ALPN).");
            }

            if (options.PublicUrl is { } configured && !PublicBaseUrl.IsValid(configured))
            {
                throw CliException.Usage("--public-url: an absolute http(s) URL without query or fragment is required.");
            }
            if (parse.GetValue(store) is { } storeText)
            {
                if (!StoreLocation.TryParse(storeText, out var location, out var problem))
                {
                    throw CliException.Usage($"--store: {problem}");
                }

                options.Store = location;
            }

            if (parse.GetValue(data) is { } directory)
            {
                if (!directory.Exists)
                {
                    throw CliException.Usage($"--data: the directory '{directory.FullName}' does not exist.");
                }

                options.DataDirectory = directory.FullName;
            }

            options.McpGateways = await GatewayConfigsAsync(context, parse.GetValue(mcpGateways) ?? []);

            WebApplication app;
            try
            {
                // This command reports a failed start itself, in one line; the host's own report is a stack trace.
                app = MandateServer.Build(options, b => b.Logging.AddFilter(HostCategory, LogLevel.Critical));
            }
            catch (OptionsValidationException ex)
            {
                throw CliException.Failed($"invalid configuration: {string.Join(" ", ex.Failures)}");
            }

            await using (app)
            {
                try
                {
                    // Listen first: /healthz answers at once and /readyz says which start-up step runs; every other
                    // request is refused with 503 'starting' until the start-up tasks below have finished.
                    await app.StartAsync(cancellationToken);
                }
                catch (IOException ex)
                {
                    // Kestrel reports a port in use or an address it cannot bind as an IOException naming the address.
                    throw CliException.Failed($"cannot listen: {ex.Message}");
                }

                try
                {
                    await MandateServer.RunStartupAsync(app, cancellationToken);
                }
                catch (Exception ex) when (ex is StoreException or StartupException or OptionsValidationException)
                {
                    await app.StopAsync(CancellationToken.None);
                    throw CliException.Failed(ex is OptionsValidationException invalid
                        ? $"invalid configuration: {string.Join(" ", invalid.Failures)}"
                        : ex.Message);
                }

                if (context.Json)
                {
                    await context.Output.JsonAsync(new
                    {
                        version = MandateServer.Version,
                        urls = options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                        http2_urls = options.Http2Urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                        demo = options.Demo,
                        admin_token_file = options.Demo ? Path.GetFullPath(options.AdminTokenPath) : null,
                        mcp_gateways = HostedGateways(app).Select(g => new
                        {
                            config = g.Config.Source,
                            listen = g.Address.ToString().TrimEnd('/'),
                            upstreams = g.Upstreams.Select(u => new { name = u.Name, upstream = u.Describe() }),
                            endpoints = g.Endpoints,
                        }),
                    });
                }
                else
                {
                    if (options.Demo)
                    {
                        await context.Output.LineAsync($"Demo mode. Admin token: {Path.GetFullPath(options.AdminTokenPath)}");
                        await context.Output.LineAsync($"  export MANDATE_TOKEN=$(cat {options.AdminTokenPath})");
                    }

                    var h2cNote = options.Http2Urls is { Length: > 0 } h2 ? $", h2c on {h2}" : string.Empty;
                    await context.Output.LineAsync($"Mandate {MandateServer.Version} listening on {options.Urls}{h2cNote} (Ctrl+C to stop)");
                    foreach (var gateway in HostedGateways(app))
                    {
                        await context.Output.LineAsync(
                            $"MCP gateway ({gateway.Config.Source}) serving {string.Join(", ", gateway.Endpoints)} in front of {string.Join(", ", gateway.Upstreams.Select(u => u.Name + " (" + u.Describe() + ")"))}");
                    }
                }

                await app.WaitForShutdownAsync(cancellationToken);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static IReadOnlyList<HostedMcpGateway> HostedGateways(WebApplication app) =>
        app.Services.GetService<McpGatewayHost>()?.Gateways ?? [];

    /// <summary>Each <c>--mcp-gateway</c> file, read and checked before anything starts (an error names file, line and column).</summary>
    private static async Task<IReadOnlyList<HostedMcpGatewayConfig>> GatewayConfigsAsync(CliContext context, FileInfo[] files)
    {
        var configs = new List<HostedMcpGatewayConfig>(files.Length);
        foreach (var file in files)
        {
            if (!file.Exists)
            {
                throw CliException.Usage($"--mcp-gateway: the file '{file.FullName}' does not exist.");
            }

            HostedMcpGatewayConfig config;
            try
            {
                config = HostedMcpGatewayConfig.Read(file.FullName);
            }
            catch (GatewayConfigException ex)
            {
                throw CliException.Failed(ex.Message);
            }

            if (config.File.Server is { } server)
            {
                // The same file may serve a standalone gateway; here the server decides itself.
                await context.Output.WarningAsync($"{file.FullName}: \"server\" ({server}) is not used: a gateway the server hosts decides in the server's process.");
            }

            configs.Add(config);
        }

        var listens = configs.GroupBy(c => (c.File.Listen ?? HostedMcpGatewayConfig.DefaultListen).GetLeftPart(UriPartial.Authority), StringComparer.OrdinalIgnoreCase)
            .FirstOrDefault(g => g.Count() > 1 && !g.Key.EndsWith(":0", StringComparison.Ordinal));
        if (listens is not null)
        {
            throw CliException.Usage($"--mcp-gateway: {string.Join(" and ", listens.Select(c => c.Source))} both listen on {listens.Key}; give each gateway its own \"listen\".");
        }

        return configs;
    }
}
