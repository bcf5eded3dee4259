using System.CommandLine;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate risk show|clear</c>: identities' risk from detection (<c>/v1/risk</c>), and clearing it.</summary>
internal static class RiskCommand
{
    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "risk",
        "Show identities' risk (raised by detection, decaying over time) and clear it once the cause is dealt with.",
        Show(globals),
        Clear(globals));

    private static Command Show(GlobalOptions globals)
    {
        var identity = new Argument<string?>("identity") { Description = "The identity (SPIFFE ID); without it, every identity with risk above zero.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("show", "Show one identity's risk score and level, or every identity whose risk is above zero.") { identity };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            if (context.Value(identity) is { } id)
            {
                var one = await api.GetAsync("v1/risk/" + CommandArguments.Segment(id), context.CancellationToken);
                if (context.Json)
                {
                    await context.Output.JsonAsync(one);
                    return ExitCodes.Success;
                }

                context.Output.Fields(one);
                return ExitCodes.Success;
            }

            var all = await api.GetAsync("v1/risk", context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(all);
                return ExitCodes.Success;
            }

            var rows = all.GetProperty("identities").EnumerateArray().ToList();
            context.Output.Table(
                ["IDENTITY", "SCORE", "LEVEL", "UPDATED", "REASON"],
                rows.Select(r => new[] { CliOutput.Cell(r, "identity"), CliOutput.Cell(r, "score"), CliOutput.Cell(r, "level"), CliOutput.Cell(r, "updated_at"), CliOutput.Cell(r, "reason") }));
            await context.Output.LineAsync($"{rows.Count} identit{(rows.Count == 1 ? "y" : "ies")} at risk");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Clear(GlobalOptions globals)
    {
        var identity = new Argument<string>("identity") { Description = "The identity (SPIFFE ID) whose risk goes back to zero." };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the audit log).", HelpName = "TEXT" };
        var command = new Command("clear", "Set an identity's risk back to zero (audited), so its decisions no longer carry it.") { identity, reason };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync("v1/risk/" + CommandArguments.Segment(context.Value(identity)!) + "/clear", new { reason = context.Value(reason) }, context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(answer);
                return ExitCodes.Success;
            }

            context.Output.Fields(answer);
            return ExitCodes.Success;
        });
        return command;
    }
}
