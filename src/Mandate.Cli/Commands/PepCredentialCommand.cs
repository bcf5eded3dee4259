using System.CommandLine;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate pep-credential create|list|revoke</c>: credentials enforcement points present at <c>/access/v1/*</c>,
/// issued through the API (<c>/v1/pep-credentials</c>, security role) next to those configured.
/// </summary>
internal static class PepCredentialCommand
{
    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "pep-credential",
        "Issue, list and revoke the credentials enforcement points present to the decision point.",
        Issue(globals),
        List(globals),
        Revoke(globals));

    private static Command Issue(GlobalOptions globals)
    {
        var name = new Argument<string>("name") { Description = "The enforcement point's name; its decisions are recorded as called by pep:NAME." };
        var ttl = new Option<string?>("--ttl") { Description = "Lifetime: seconds or a duration (90d, 12h); default: until revoked.", HelpName = "DURATION" };
        var output = new Option<FileInfo?>("--output") { Description = "Write the token to this new file (mode 0600) instead of printing it.", HelpName = "FILE" };
        var command = new Command("create", "Issue a PEP credential; its token is shown once.") { name, ttl, output };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync(
                "v1/pep-credentials",
                new Dictionary<string, object?> { ["name"] = context.Value(name), ["ttl_seconds"] = CommandArguments.SecondsOrUsage(context.Value(ttl), "--ttl") },
                context.CancellationToken);
            await OperatorCommand.PrintIssuedAsync(context, answer, context.Value(output));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(GlobalOptions globals)
    {
        var command = new Command("list", "List issued PEP credentials (never their tokens) and the names of configured ones.");
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var body = await api.GetAsync("v1/pep-credentials", context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var items = body.GetProperty("pep_credentials").EnumerateArray().ToList();
            context.Output.Table(
                ["ID", "NAME", "STATUS", "CREATED", "BY", "EXPIRES", "REVOKED"],
                items.Select(c => new[] { CliOutput.Cell(c, "id"), CliOutput.Cell(c, "name"), CliOutput.Cell(c, "status"), CliOutput.Cell(c, "created_at"), CliOutput.Cell(c, "created_by"), CliOutput.Cell(c, "expires_at"), CliOutput.Cell(c, "revoked_at") }));
            var configured = body.GetProperty("configured").EnumerateArray().Select(e => e.GetString()).ToList();
            await context.Output.LineAsync($"{items.Count} issued; configured: {(configured.Count == 0 ? "none" : string.Join(", ", configured))}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke(GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "The credential's id (pcr_…), as list shows it." };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the audit log).", HelpName = "TEXT" };
        var command = new Command("revoke", "Revoke an issued PEP credential; the decision point refuses it at once.") { id, reason };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync($"v1/pep-credentials/{CommandArguments.Segment(context.Value(id)!)}/revoke", new { reason = context.Value(reason) }, context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(answer);
            }
            else
            {
                context.Output.Fields(answer);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
