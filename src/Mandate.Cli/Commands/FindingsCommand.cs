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
        var status = new Option<string?>("--status") { Description = "open (default), accepted, resolved or all.", HelpName = "STATUS" };
        status.AcceptOnlyFromAmong("open", "accepted", "resolved", "all");
        var refresh = new Option<bool>("--refresh") { Description = "Recompute the findings first." };
        var command = new Command("findings", "Governance findings: who owns nothing, what is stale, overdue, long-lived, shared or over-privileged, with evidence.") { kind, owner, identity, status, refresh };
        command.Subcommands.Add(Accept(globals));
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

    private static Command Accept(GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "The finding's id (fnd_…)." };
        var reason = new Option<string>("--reason") { Description = "Why the risk is accepted (recorded in the ledger).", Required = true, HelpName = "TEXT" };
        var until = new Option<string>("--until") { Description = "Until when: a duration (30d, 12h) or an RFC 3339 time; it reopens then if it still holds.", Required = true, HelpName = "WHEN" };
        var command = new Command("accept", "Accept a finding with a reason until a time (security or admin).") { id, reason, until };
        CliAction.Set(command, globals, async context =>
        {
            var (ttl, at) = CommandArguments.ExpiryOrUsage(context.Value(until)!, "--until");
            var end = at ?? DateTimeOffset.UtcNow.AddSeconds(ttl!.Value);
            using var api = await context.ConnectAsync();
            var body = await api.PostAsync(
                "v1/findings/" + CommandArguments.Segment(context.Value(id)!) + "/accept",
                new Dictionary<string, object?> { ["reason"] = context.Value(reason), ["until"] = end },
                context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
            }
            else
            {
                context.Output.Fields(body, "evidence");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string Owner(JsonElement finding) =>
        finding.TryGetProperty("owner", out var owner) && owner.ValueKind == JsonValueKind.String ? owner.GetString()! : "-";
}
