using System.CommandLine;
using Mandate.Cli.Grammar;
using Mandate.Core.Storage;
using Mandate.Server;
using Mandate.Server.Hosting;
using Mandate.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate serve [--data DIR] [--demo] [--urls URL] [--http2-urls URL] [--public-url URL] [--store sqlite:PATH|postgres:CONNSTR]</c>.</summary>
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
        var command = new Command("serve", "Start the Mandate server.") { urls, store, demo, data, state, publicUrl, http2Urls };
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

            WebApplication app;
            try
            {
                // This command reports a failed start itself, in one line; the host's own report is a stack trace.
                app = await MandateServer.CreateAsync(options, b => b.Logging.AddFilter(HostCategory, LogLevel.Critical), cancellationToken);
            }
            catch (StoreException ex)
            {
                throw CliException.Failed(ex.Message);
            }
            catch (StartupException ex)
            {
                throw CliException.Failed(ex.Message);
            }
            catch (OptionsValidationException ex)
            {
                throw CliException.Failed($"invalid configuration: {string.Join(" ", ex.Failures)}");
            }

            await using (app)
            {
                try
                {
                    await app.StartAsync(cancellationToken);
                }
                catch (IOException ex)
                {
                    // Kestrel reports a port in use or an address it cannot bind as an IOException naming the address.
                    throw CliException.Failed($"cannot listen: {ex.Message}");
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
                }

                await app.WaitForShutdownAsync(cancellationToken);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
