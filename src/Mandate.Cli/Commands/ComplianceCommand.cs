using System.CommandLine;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate compliance report [--format json|md|html]</c>: the compliance report measured now
/// (<c>GET /v1/compliance/report</c>). Without <c>--format</c> a table of every control and its status; <c>--format
/// json</c> (or <c>--json</c>) the API's JSON; <c>md</c> and <c>html</c> the documents the API renders.
/// </summary>
internal static class ComplianceCommand
{
    public static Command Create(GlobalOptions globals) =>
        CliAction.Group("compliance", "Compliance with OWASP NHI and Agentic Top 10, NIST CSF 2.0, SP 800-207, AI RMF and CSA MAESTRO, measured from live state.", Report(globals));

    private static Command Report(GlobalOptions globals)
    {
        var format = new Option<string?>("--format") { Description = "json, md (Markdown) or html; default: a table.", HelpName = "FORMAT" };
        format.AcceptOnlyFromAmong("json", "md", "html");
        var command = new Command("report", "Every control mapped to the Mandate capability that implements it, with its status measured now and its evidence.") { format };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync(timeout: TimeSpan.FromMinutes(5));
            var chosen = context.Value(format);
            if (chosen is "md" or "html")
            {
                using var response = await api.GetStreamAsync("v1/compliance/report?format=" + chosen, context.CancellationToken);
                var text = await response.Content.ReadAsStringAsync(context.CancellationToken);
                await context.Output.Out.WriteAsync(text);
                return ExitCodes.Success;
            }

            var body = await api.GetAsync("v1/compliance/report", context.CancellationToken);
            if (context.Json || chosen == "json")
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var rows = body.GetProperty("controls").EnumerateArray().ToList();
            context.Output.Table(
                ["FRAMEWORK", "CONTROL", "NAME", "STATUS", "MEASURED NOW"],
                rows.Select(r => new[] { CliOutput.Cell(r, "framework"), CliOutput.Cell(r, "id"), CliOutput.Cell(r, "name"), CliOutput.Cell(r, "status"), CliOutput.Cell(r, "measured") }));
            var summary = body.GetProperty("summary").EnumerateObject().Select(p => $"{p.Name} {p.Value.GetInt32()}");
            await context.Output.LineAsync($"{rows.Count} controls: {string.Join(", ", summary)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
