using System.CommandLine;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// The thin ledger verbs of the admin API: <c>audit keys</c> (<c>GET /v1/audit/keys</c>), <c>audit checkpoints</c>
/// (<c>GET /v1/audit/checkpoints</c>), <c>audit checkpoint</c> (<c>POST /v1/audit/checkpoints</c>) and
/// <c>audit annotate</c> (<c>POST /v1/audit/events</c>).
/// </summary>
internal static class AuditLedgerCommands
{
    public static Command Keys(GlobalOptions globals)
    {
        var command = new Command("keys", "List the ledger's checkpoint signing keys (public: no credential needed; with --json: the JWK Set 'audit verify --key' pins).");
        CliAction.Set(command, globals, async context =>
        {
            using var api = AdminApi.ConnectAnonymous(context);
            var answer = await api.GetAsync("v1/audit/keys", context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(answer);
                return ExitCodes.Success;
            }

            context.Output.Table(
                ["KID", "ALG", "CURVE", "USE"],
                answer.GetProperty("keys").EnumerateArray().Select(k => new[] { CliOutput.Cell(k, "kid"), CliOutput.Cell(k, "alg"), CliOutput.Cell(k, "crv"), CliOutput.Cell(k, "use") }));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Checkpoints(GlobalOptions globals)
    {
        var command = new Command("checkpoints", "List the signed checkpoints (Merkle roots over ranges of the chain).");
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var answer = await api.GetAsync("v1/audit/checkpoints", context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(answer);
                return ExitCodes.Success;
            }

            var checkpoints = answer.GetProperty("checkpoints").EnumerateArray().ToList();
            context.Output.Table(
                ["FROM", "TO", "TIME", "KID", "ROOT"],
                checkpoints.Select(c => new[] { CliOutput.Cell(c, "from"), CliOutput.Cell(c, "to"), CliOutput.Cell(c, "time"), CliOutput.Cell(c, "kid"), CliOutput.Cell(c, "root") }));
            await context.Output.LineAsync($"{checkpoints.Count} checkpoint{(checkpoints.Count == 1 ? string.Empty : "s")}");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Checkpoint(GlobalOptions globals)
    {
        var command = new Command("checkpoint", "Sign a checkpoint now over the events not yet covered by one.");
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync("v1/audit/checkpoints", null, context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(answer);
            }
            else if (answer.TryGetProperty("checkpoint", out var checkpoint) && checkpoint.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                context.Output.Fields(checkpoint);
            }
            else
            {
                await context.Output.LineAsync(CliOutput.Cell(answer, "detail"));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Annotate(GlobalOptions globals)
    {
        var reason = new Option<string>("--reason") { Description = "The note (why, what was decided).", Required = true, HelpName = "TEXT" };
        var type = new Option<string?>("--type") { Description = "annotation (default) or annotation.SOMETHING.", HelpName = "TYPE" };
        var subject = new Option<string?>("--subject") { Description = "The identity the note is about.", HelpName = "ID" };
        var task = new Option<string?>("--task") { Description = "The task the note is about.", HelpName = "TASK_ID" };
        var details = new Option<string[]>("--detail") { Description = "A detail key=value (repeatable).", HelpName = "KEY=VALUE" };
        var command = new Command("annotate", "Append an operator's note to the ledger (hash-chained like every event).") { reason, type, subject, task, details };
        CliAction.Set(command, globals, async context =>
        {
            var body = new Dictionary<string, object?>
            {
                ["type"] = context.Value(type),
                ["reason"] = context.Value(reason),
                ["subject"] = context.Value(subject),
                ["task_id"] = context.Value(task),
                ["details"] = context.Value(details) is { Length: > 0 } given ? CommandArguments.PairsOrUsage(given, "--detail") : null,
            };
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync("v1/audit/events", body, context.CancellationToken);
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
