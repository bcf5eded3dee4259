using System.CommandLine;
using System.Text.Json;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate exception request|approve|deny|revoke|list|show</c>: exceptions (<c>/v1/exceptions</c>). One operator
/// requests a time-bound permit for one identity, action and resource; another, holding approver, approves it; it is
/// in force until its TTL runs out or it is revoked.
/// </summary>
internal static class ExceptionCommand
{
    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "exception",
        "Exceptions: time-bound permits one operator requests and another approves.",
        Request(globals),
        Decide(globals, "approve", "Approve a pending exception (approver; never your own request): it is in force for its TTL from now."),
        Decide(globals, "deny", "Deny a pending exception (approver; a requester may withdraw their own)."),
        Decide(globals, "revoke", "Revoke an active exception or break-glass grant at once, on every node (security or approver)."),
        List(globals),
        Show(globals));

    /// <summary>The options shared with <c>mandate breakglass</c>.</summary>
    internal sealed record GrantOptions(Option<string> Identity, Option<string> Action, Option<string> Resource, Option<string?> Ttl, Option<string> Reason)
    {
        public static GrantOptions Create(bool ttlRequired, string ttlDescription) => new(
            new Option<string>("--identity") { Description = "The identity to grant (its SPIFFE ID).", Required = true, HelpName = "ID" },
            new Option<string>("--action") { Description = "The action: a name (read) or an action entity (Action::\"read\").", Required = true, HelpName = "ACTION" },
            new Option<string>("--resource") { Description = "The one resource, as a Cedar entity: Invoice::\"INV-1\".", Required = true, HelpName = "ENTITY" },
            new Option<string?>("--ttl") { Description = ttlDescription, Required = ttlRequired, HelpName = "DURATION" },
            new Option<string>("--reason") { Description = "Why (recorded in the ledger).", Required = true, HelpName = "TEXT" });

        public IEnumerable<Option> All => [Identity, Action, Resource, Ttl, Reason];

        public Dictionary<string, object?> Body(CliContext context) => new()
        {
            ["identity"] = context.Value(Identity),
            ["action"] = context.Value(Action),
            ["resource"] = context.Value(Resource),
            ["ttl_seconds"] = CommandArguments.SecondsOrUsage(context.Value(Ttl), "--ttl"),
            ["reason"] = context.Value(Reason),
        };
    }

    private static Command Request(GlobalOptions globals)
    {
        var grant = GrantOptions.Create(ttlRequired: true, "How long it lasts once approved: seconds or a duration (8h); at most the server's Mandate:Exceptions:MaxTtl (24h by default). It also lapses if nobody approves it within that time.");
        var command = new Command("request", "Request an exception (security): pending until another operator approves it.");
        foreach (var option in grant.All)
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, globals, async context =>
        {
            var body = grant.Body(context);
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync("v1/exceptions", body, context.CancellationToken);
            await WriteAsync(context, answer);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Decide(GlobalOptions globals, string verb, string description)
    {
        var id = new Argument<string>("id") { Description = "The grant's id (exc_… or brk_…)." };
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the ledger).", Required = verb != "approve", HelpName = "TEXT" };
        var command = new Command(verb, description) { id };
        if (verb != "approve")
        {
            command.Options.Add(reason);
        }

        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync(
                $"v1/exceptions/{CommandArguments.Segment(context.Value(id)!)}/{verb}",
                verb == "approve" ? new Dictionary<string, object?>() : new Dictionary<string, object?> { ["reason"] = context.Value(reason) },
                context.CancellationToken);
            await WriteAsync(context, answer);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(GlobalOptions globals)
    {
        var status = new Option<string?>("--status") { Description = "Only grants in this status.", HelpName = "STATUS" };
        status.AcceptOnlyFromAmong("pending", "active", "denied", "revoked", "expired");
        var identity = new Option<string?>("--identity") { Description = "Only grants for this identity.", HelpName = "ID" };
        var command = new Command("list", "List exceptions and break-glass grants, newest first.") { status, identity };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var body = await api.GetAsync("v1/exceptions" + CommandArguments.Query(("status", context.Value(status)), ("identity", context.Value(identity))), context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var grants = body.GetProperty("exceptions").EnumerateArray().ToList();
            context.Output.Table(
                ["ID", "KIND", "STATUS", "IDENTITY", "ACTION", "RESOURCE", "EXPIRES", "REQUESTED BY"],
                grants.Select(g => new[]
                {
                    CliOutput.Cell(g, "id"), CliOutput.Cell(g, "kind"), CliOutput.Cell(g, "status"), CliOutput.Cell(g, "identity"),
                    CliOutput.Cell(g, "action"), CliOutput.Cell(g, "resource"), CliOutput.Cell(g, "expires_at"), CliOutput.Cell(g, "requested_by"),
                }));
            await context.Output.LineAsync($"{grants.Count} grant{(grants.Count == 1 ? string.Empty : "s")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "The grant's id (exc_… or brk_…)." };
        var command = new Command("show", "Show one exception or break-glass grant, its Cedar policy included.") { id };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var body = await api.GetAsync("v1/exceptions/" + CommandArguments.Segment(context.Value(id)!), context.CancellationToken);
            await WriteAsync(context, body);
            return ExitCodes.Success;
        });
        return command;
    }

    internal static async Task WriteAsync(CliContext context, JsonElement grant)
    {
        if (context.Json)
        {
            await context.Output.JsonAsync(grant);
        }
        else
        {
            context.Output.Fields(grant);
        }
    }
}
