using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate revocations list|add</c>: the admin revocation log (<c>/v1/revocations</c>).</summary>
internal static class RevocationsCommand
{
    private static readonly string[] Kinds = ["credential", "task", "identity", "owner"];

    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "revocations",
        "List and add revocations: a credential, a task, an identity, or everything an owner's identities hold.",
        List(globals),
        Add(globals));

    private static Command List(GlobalOptions globals)
    {
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first (1-1000).", HelpName = "N", DefaultValueFactory = _ => 100 };
        var command = new Command("list", "List the revocation log, newest first.") { limit };
        CliAction.Set(command, globals, async context =>
        {
            if (context.Value(limit) is < 1 or > 1000)
            {
                throw CliException.Usage("--limit: must be between 1 and 1000.");
            }

            using var api = await context.ConnectAsync();
            var body = await api.GetAsync("v1/revocations?limit=" + context.Value(limit).ToString(CultureInfo.InvariantCulture), context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var entries = body.GetProperty("revocations").EnumerateArray().ToList();
            context.Output.Table(
                ["ID", "KIND", "TARGET", "CREDENTIALS", "BY", "AT", "REASON"],
                entries.Select(e => new[] { CliOutput.Cell(e, "id"), CliOutput.Cell(e, "target_kind"), CliOutput.Cell(e, "target"), CliOutput.Cell(e, "credential_count"), CliOutput.Cell(e, "revoked_by"), CliOutput.Cell(e, "revoked_at"), CliOutput.Cell(e, "reason") }));
            await context.Output.LineAsync($"{entries.Count} revocation{(entries.Count == 1 ? string.Empty : "s")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Add(GlobalOptions globals)
    {
        var kind = new Option<string>("--kind") { Description = "What TARGET is: credential (a jti), task, identity (a SPIFFE ID) or owner.", Required = true, HelpName = "KIND" };
        kind.AcceptOnlyFromAmong(Kinds);
        var target = new Argument<string>("target") { Description = "The jti, task id, SPIFFE ID or owner." };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the audit log).", HelpName = "TEXT" };
        var command = new Command("add", "Revoke a credential, a task's credentials, an identity's, or an owner's at once.") { target, kind, reason };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync("v1/revocations", new { target_kind = context.Value(kind), target = context.Value(target), reason = context.Value(reason) }, context.CancellationToken);
            await PrintRevocationAsync(context, answer);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The answer of <c>POST /v1/revocations</c>.</summary>
    public static async Task PrintRevocationAsync(CliContext context, JsonElement answer)
    {
        if (context.Json)
        {
            await context.Output.JsonAsync(answer);
            return;
        }

        context.Output.Fields(answer);
    }
}
