using System.CommandLine;
using System.Net.Http.Headers;

namespace Mandate.Cli.Commands;

/// <summary>
/// How the commands that call a running server's admin API reach it: one <c>--server</c> (checked by
/// <see cref="ServerUrl"/>) and one admin credential, from <c>--token</c>, <c>--token-file</c>, <c>MANDATE_TOKEN</c>,
/// then <c>./.mandate/admin.token</c>.
/// </summary>
internal sealed class AdminConnection
{
    public const string DefaultServer = "http://127.0.0.1:8080";

    private static readonly string DefaultTokenFile = Path.Combine(".mandate", "admin.token");

    private readonly Option<string?> token;
    private readonly Option<string?> tokenFile;

    private AdminConnection(Option<string?> server, Option<string?> token, Option<string?> tokenFile)
    {
        Server = server;
        this.token = token;
        this.tokenFile = tokenFile;
    }

    public Option<string?> Server { get; }

    /// <summary>
    /// Adds <c>--server</c>, <c>--token</c> and <c>--token-file</c> to <paramref name="command"/>. With
    /// <paramref name="serverDefaults"/> an absent <c>--server</c> means <c>$MANDATE_SERVER</c>, then
    /// <see cref="DefaultServer"/>; without, it means the command works without a server (a store, say).
    /// </summary>
    public static AdminConnection AddTo(Command command, string serverDescription, bool serverDefaults = true)
    {
        ArgumentNullException.ThrowIfNull(command);
        var server = new Option<string?>("--server") { Description = serverDescription, HelpName = "URL" };
        if (serverDefaults)
        {
            server.DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MANDATE_SERVER") ?? DefaultServer;
        }

        var token = new Option<string?>("--token") { Description = "Admin token (default: --token-file, $MANDATE_TOKEN, then ./.mandate/admin.token).", HelpName = "TOKEN" };
        var tokenFile = new Option<string?>("--token-file", "--admin-token-file") { Description = "A file holding the admin token.", HelpName = "FILE" };
        command.Options.Add(server);
        command.Options.Add(token);
        command.Options.Add(tokenFile);
        return new AdminConnection(server, token, tokenFile);
    }

    /// <summary>Whether the command was given a server (always, when <c>--server</c> defaults).</summary>
    public bool Requested(ParseResult parse) => parse.GetValue(Server) is not null;

    /// <summary>
    /// A client for the server, authenticated with <paramref name="bearer"/> when given (a workload's SVID), else the
    /// admin token; or, after writing why to the error output, no client and the exit code (2 for a bad
    /// <c>--server</c> or no credential, 1 for a token file that cannot be read).
    /// </summary>
    public async Task<(HttpClient? Client, int ExitCode)> ConnectAsync(
        ParseResult parse, CancellationToken cancellationToken, string? bearer = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var error = parse.InvocationConfiguration.Error;
        if (!ServerUrl.TryParse(parse.GetValue(Server), out var server, out var invalid))
        {
            await error.WriteLineAsync("error: " + invalid);
            return (null, CliApplication.UsageError);
        }

        var credential = bearer;
        if (string.IsNullOrWhiteSpace(credential))
        {
            credential = parse.GetValue(token);
        }

        if (string.IsNullOrWhiteSpace(credential) && parse.GetValue(tokenFile) is { } file)
        {
            if (await ReadAsync(file, cancellationToken) is not { } fromFile)
            {
                await error.WriteLineAsync($"error: {file}: cannot read the admin token.");
                return (null, 1);
            }

            credential = fromFile;
        }

        if (string.IsNullOrWhiteSpace(credential))
        {
            credential = Environment.GetEnvironmentVariable("MANDATE_TOKEN");
        }

        if (string.IsNullOrWhiteSpace(credential))
        {
            credential = await ReadAsync(DefaultTokenFile, cancellationToken);
        }

        if (string.IsNullOrWhiteSpace(credential))
        {
            await error.WriteLineAsync("error: no admin token: pass --token or --token-file, set MANDATE_TOKEN, or run from the directory holding .mandate/admin.token.");
            return (null, CliApplication.UsageError);
        }

        var address = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        var client = new HttpClient { BaseAddress = address, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential.Trim());
        return (client, 0);
    }

    private static async Task<string?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
