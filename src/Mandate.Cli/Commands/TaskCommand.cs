using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate task open|list|show|complete</c> against a running server. <c>open</c> authenticates as a workload
/// (a JWT-SVID from <c>--svid-file</c> or <c>MANDATE_SVID</c>); the others use the SVID when given, else the admin token.
/// </summary>
internal static class TaskCommand
{
    private const string DefaultServer = "http://127.0.0.1:8080";

    public static Command Create()
    {
        var command = new Command("task", "Open, list, show and complete tasks (task-scoped credentials).");
        command.Subcommands.Add(Open());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Complete());
        return command;
    }

    private static (Option<string> Server, Option<string?> Svid, Option<string?> AdminToken) Connection(Command command)
    {
        var server = new Option<string>("--server") { Description = "The Mandate server.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MANDATE_SERVER") ?? DefaultServer };
        var svid = new Option<string?>("--svid-file") { Description = "A file holding the caller's JWT-SVID (default: $MANDATE_SVID)." };
        var admin = new Option<string?>("--admin-token-file") { Description = "The admin token file (default .mandate/admin.token) when no SVID is given." };
        command.Options.Add(server);
        command.Options.Add(svid);
        command.Options.Add(admin);
        return (server, svid, admin);
    }

    private static Command Open()
    {
        var command = new Command("open", "Open a task and print its credential (shown once).");
        var (server, svid, admin) = Connection(command);
        var description = new Option<string>("--description") { Description = "What the task does.", Required = true };
        var actions = new Option<string[]>("--action") { Description = "An action the task may perform (repeat).", Required = true, AllowMultipleArgumentsPerToken = true };
        var resources = new Option<string[]>("--resource") { Description = "A resource type or pattern (repeat).", Required = true, AllowMultipleArgumentsPerToken = true };
        var ceiling = new Option<string>("--sensitivity") { Description = "Sensitivity ceiling: public, low, medium, high or restricted.", DefaultValueFactory = _ => "low" };
        var destinations = new Option<string[]>("--destination") { Description = "An allowed destination (repeat).", AllowMultipleArgumentsPerToken = true };
        var delegates = new Option<string[]>("--delegate") { Description = "A SPIFFE ID allowed to act for the task by token exchange (repeat).", AllowMultipleArgumentsPerToken = true };
        var ttl = new Option<int?>("--ttl") { Description = "Lease in seconds (default: the server's)." };
        foreach (var option in new Option[] { description, actions, resources, ceiling, destinations, delegates, ttl })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var body = new
            {
                intent = new
                {
                    description = parse.GetValue(description),
                    actions = parse.GetValue(actions) ?? [],
                    resources = parse.GetValue(resources) ?? [],
                    sensitivity_ceiling = parse.GetValue(ceiling),
                    destinations = parse.GetValue(destinations) ?? [],
                    delegates = parse.GetValue(delegates) ?? [],
                },
                ttl_seconds = parse.GetValue(ttl),
            };
            return await SendAsync(parse, server, svid, admin, requireSvid: true, c => c.PostAsJsonAsync("v1/tasks", body, ct), ct);
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List tasks (a workload sees its own).");
        var (server, svid, admin) = Connection(command);
        var status = new Option<string?>("--status") { Description = "open, completed, expired or revoked." };
        command.Options.Add(status);
        command.SetAction(async (parse, ct) =>
        {
            var query = parse.GetValue(status) is { } s ? "?status=" + Uri.EscapeDataString(s) : string.Empty;
            return await SendAsync(parse, server, svid, admin, requireSvid: false, c => c.GetAsync("v1/tasks" + query, ct), ct);
        });
        return command;
    }

    private static Command Show()
    {
        var command = new Command("show", "Show a task with its credentials and their use.");
        var (server, svid, admin) = Connection(command);
        var id = new Argument<string>("id") { Description = "The task id." };
        command.Arguments.Add(id);
        command.SetAction(async (parse, ct) =>
            await SendAsync(parse, server, svid, admin, requireSvid: false, c => c.GetAsync("v1/tasks/" + Uri.EscapeDataString(parse.GetValue(id)!), ct), ct));
        return command;
    }

    private static Command Complete()
    {
        var command = new Command("complete", "Complete a task: every credential of it (and derived from it) is revoked at once.");
        var (server, svid, admin) = Connection(command);
        var id = new Argument<string>("id") { Description = "The task id." };
        command.Arguments.Add(id);
        command.SetAction(async (parse, ct) =>
            await SendAsync(parse, server, svid, admin, requireSvid: false, c => c.PostAsync("v1/tasks/" + Uri.EscapeDataString(parse.GetValue(id)!) + "/complete", null, ct), ct));
        return command;
    }

    private static async Task<int> SendAsync(
        ParseResult parse,
        Option<string> serverOption,
        Option<string?> svidOption,
        Option<string?> adminOption,
        bool requireSvid,
        Func<HttpClient, Task<HttpResponseMessage>> send,
        CancellationToken ct)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        string token;
        var svidPath = parse.GetValue(svidOption);
        var svid = svidPath is not null ? ReadFile(svidPath) : Environment.GetEnvironmentVariable("MANDATE_SVID");
        if (!string.IsNullOrWhiteSpace(svid))
        {
            token = svid.Trim();
        }
        else if (requireSvid)
        {
            await error.WriteLineAsync("error: opening a task needs the workload's JWT-SVID: --svid-file FILE or MANDATE_SVID.");
            return 2;
        }
        else
        {
            var adminPath = parse.GetValue(adminOption) ?? Path.Combine(".mandate", "admin.token");
            if (ReadFile(adminPath) is not { } admin)
            {
                await error.WriteLineAsync($"error: {adminPath}: cannot read the admin token (give --svid-file or --admin-token-file).");
                return 1;
            }

            token = admin.Trim();
        }

        var server = parse.GetValue(serverOption)!;
        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var address))
        {
            await error.WriteLineAsync($"error: --server '{server}' is not an absolute URL.");
            return 2;
        }

        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await send(client);
            var text = await response.Content.ReadAsStringAsync(ct);
            var pretty = Pretty(text);
            if (!response.IsSuccessStatusCode)
            {
                await error.WriteLineAsync($"error: {(int)response.StatusCode} {response.ReasonPhrase}");
                await error.WriteLineAsync(pretty);
                return 1;
            }

            await output.WriteLineAsync(pretty);
            return 0;
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"error: cannot reach {address}: {ex.Message}");
            return 1;
        }
    }

    private static string? ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
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

    private static string Pretty(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return JsonSerializer.Serialize(document.RootElement, new JsonSerializerOptions { WriteIndented = true });
        }
        catch (JsonException)
        {
            return text;
        }
    }
}
