using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate task open|list|show|complete</c> against a running server. <c>open</c> authenticates as a workload
/// (a JWT-SVID from <c>--svid-file</c> or <c>MANDATE_SVID</c>); the others use the SVID when given, else the admin token.
/// </summary>
internal static class TaskCommand
{
    public static Command Create()
    {
        var command = new Command("task", "Open, list, show and complete tasks (task-scoped credentials).");
        command.Subcommands.Add(Open());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Complete());
        return command;
    }

    private static (AdminConnection Admin, Option<string?> Svid) Connection(Command command)
    {
        var admin = AdminConnection.AddTo(command, "The Mandate server.");
        var svid = new Option<string?>("--svid-file") { Description = "A file holding the caller's JWT-SVID (default: $MANDATE_SVID); else the admin token is used." };
        command.Options.Add(svid);
        return (admin, svid);
    }

    private static Command Open()
    {
        var command = new Command("open", "Open a task and print its credential (shown once).");
        var (admin, svid) = Connection(command);
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
            return await SendAsync(parse, admin, svid, requireSvid: true, c => c.PostAsJsonAsync("v1/tasks", body, ct), ct);
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List tasks (a workload sees its own).");
        var (admin, svid) = Connection(command);
        var status = new Option<string?>("--status") { Description = "open, completed, expired or revoked." };
        command.Options.Add(status);
        command.SetAction(async (parse, ct) =>
        {
            var query = parse.GetValue(status) is { } s ? "?status=" + Uri.EscapeDataString(s) : string.Empty;
            return await SendAsync(parse, admin, svid, requireSvid: false, c => c.GetAsync("v1/tasks" + query, ct), ct);
        });
        return command;
    }

    private static Command Show()
    {
        var command = new Command("show", "Show a task with its credentials and their use.");
        var (admin, svid) = Connection(command);
        var id = new Argument<string>("id") { Description = "The task id." };
        command.Arguments.Add(id);
        command.SetAction(async (parse, ct) =>
            await SendAsync(parse, admin, svid, requireSvid: false, c => c.GetAsync("v1/tasks/" + Uri.EscapeDataString(parse.GetValue(id)!), ct), ct));
        return command;
    }

    private static Command Complete()
    {
        var command = new Command("complete", "Complete a task: every credential of it (and derived from it) is revoked at once.");
        var (admin, svid) = Connection(command);
        var id = new Argument<string>("id") { Description = "The task id." };
        command.Arguments.Add(id);
        command.SetAction(async (parse, ct) =>
            await SendAsync(parse, admin, svid, requireSvid: false, c => c.PostAsync("v1/tasks/" + Uri.EscapeDataString(parse.GetValue(id)!) + "/complete", null, ct), ct));
        return command;
    }

    private static async Task<int> SendAsync(
        ParseResult parse,
        AdminConnection admin,
        Option<string?> svidOption,
        bool requireSvid,
        Func<HttpClient, Task<HttpResponseMessage>> send,
        CancellationToken ct)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var svidPath = parse.GetValue(svidOption);
        var svid = svidPath is not null ? ReadFile(svidPath) : Environment.GetEnvironmentVariable("MANDATE_SVID");
        if (requireSvid && string.IsNullOrWhiteSpace(svid))
        {
            await error.WriteLineAsync("error: opening a task needs the workload's JWT-SVID: --svid-file FILE or MANDATE_SVID.");
            return 2;
        }

        var (connected, exitCode) = await admin.ConnectAsync(parse, ct, bearer: svid?.Trim());
        if (connected is null)
        {
            return exitCode;
        }

        using var client = connected;
        var address = client.BaseAddress;
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
