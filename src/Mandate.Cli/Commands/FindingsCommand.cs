using System.CommandLine;
using System.Text.Json;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate findings [--kind K] [--owner O] [--identity ID] [--status S] [--refresh]</c>: governance findings from
/// <c>GET /v1/findings</c>; <c>--refresh</c> recomputes them first (<c>POST /v1/findings/recompute</c>).
/// </summary>
internal static class FindingsCommand
{
    private static readonly string[] Kinds = ["no_owner", "orphaned", "expired_active", "stale", "rotation_overdue", "long_lived_secret", "shared_secret", "unused_grant", "broad_policy"];

    public static Command Create(GlobalOptions globals)
    {
        var kind = new Option<string?>("--kind") { Description = "Only this kind.", HelpName = "KIND" };
        kind.AcceptOnlyFromAmong(Kinds);
        var owner = new Option<string?>("--owner") { Description = "Only identities of this owner.", HelpName = "OWNER" };
        var identity = new Option<string?>("--identity") { Description = "Only this identity (an ARN, namespace/name, a SPIFFE ID).", HelpName = "ID" };
        var status = new Option<string?>("--status") { Description = "open (default), resolved or all.", HelpName = "STATUS" };
        status.AcceptOnlyFromAmong("open", "resolved", "all");
        var refresh = new Option<bool>("--refresh") { Description = "Recompute the findings first." };
        var command = new Command("findings", "Governance findings: who owns nothing, what is stale, overdue, long-lived or shared, with evidence.") { kind, owner, identity, status, refresh };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync(timeout: TimeSpan.FromMinutes(5));
            if (context.Value(refresh))
            {
                await api.PostAsync("v1/findings/recompute", null, context.CancellationToken);
            }

            var body = await api.GetAsync(
                "v1/findings" + CommandArguments.Query(("kind", context.Value(kind)), ("owner", context.Value(owner)), ("identity", context.Value(identity)), ("status", context.Value(status))),
                context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var items = body.GetProperty("findings").EnumerateArray().ToList();
            context.Output.Table(
                ["ID", "KIND", "SEVERITY", "IDENTITY", "OWNER", "SUMMARY"],
                items.Select(f => new[] { CliOutput.Cell(f, "id"), CliOutput.Cell(f, "kind"), CliOutput.Cell(f, "severity"), CliOutput.Cell(f, "identity"), Owner(f), CliOutput.Cell(f, "summary") }));
            await context.Output.LineAsync($"{items.Count} finding{(items.Count == 1 ? string.Empty : "s")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Owner(JsonElement finding) =>
        finding.TryGetProperty("owner", out var owner) && owner.ValueKind == JsonValueKind.String ? owner.GetString()! : "-";
}
