using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate review start|list|show|decide|lift|report</c>: access reviews (<c>/v1/reviews</c>). A campaign holds one item
/// per identity, per entitlement its policies grant and per open finding; the reviewer certifies or revokes each, and a
/// security operator may lift a revoked entitlement again.
/// </summary>
internal static class ReviewCommand
{
    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "review",
        "Access reviews: start a campaign, list and show them, certify or revoke their items, and report on them.",
        Start(globals),
        List(globals),
        Show(globals),
        Decide(globals),
        Lift(globals),
        Report(globals));

    private static Command Start(GlobalOptions globals)
    {
        var owner = new Option<string?>("--owner") { Description = "Review this owner's identities and findings.", HelpName = "OWNER" };
        var all = new Option<bool>("--all") { Description = "Review every identity and open finding." };
        var reviewer = new Option<string>("--reviewer") { Description = "The operator who decides the items (holds the reviewer role; not you).", Required = true, HelpName = "OPERATOR" };
        var due = new Option<string>("--due") { Description = "When it is due: a duration (14d) or an RFC 3339 time; after it, the review is overdue.", Required = true, HelpName = "WHEN" };
        var command = new Command("start", "Start an access review of one owner's identities (--owner) or all (--all) (security or admin).") { owner, all, reviewer, due };
        CliAction.Set(command, globals, async context =>
        {
            var ownerValue = context.Value(owner);
            if ((ownerValue is null) == !context.Value(all))
            {
                throw CliException.Usage("give either --owner OWNER or --all.");
            }

            var (ttl, at) = CommandArguments.ExpiryOrUsage(context.Value(due)!, "--due");
            using var api = await context.ConnectAsync();
            var body = await api.PostAsync(
                "v1/reviews",
                new Dictionary<string, object?>
                {
                    ["owner"] = ownerValue,
                    ["all"] = context.Value(all) ? true : null,
                    ["reviewer"] = context.Value(reviewer),
                    ["due"] = at ?? DateTimeOffset.UtcNow.AddSeconds(ttl!.Value),
                },
                context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
            }
            else
            {
                context.Output.Fields(body);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(GlobalOptions globals)
    {
        var status = new Option<string?>("--status") { Description = "open (overdue included), overdue or completed; default every review.", HelpName = "STATUS" };
        status.AcceptOnlyFromAmong("open", "overdue", "completed");
        var command = new Command("list", "List access reviews, newest first; an open review past its due time shows as overdue.") { status };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var body = await api.GetAsync("v1/reviews" + CommandArguments.Query(("status", context.Value(status))), context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var reviews = body.GetProperty("reviews").EnumerateArray().ToList();
            context.Output.Table(
                ["ID", "OWNER", "REVIEWER", "STATUS", "DUE", "DECIDED"],
                reviews.Select(r => new[]
                {
                    CliOutput.Cell(r, "id"), OrAll(r), CliOutput.Cell(r, "reviewer"), CliOutput.Cell(r, "status"), CliOutput.Cell(r, "due"),
                    $"{Number(r, "decided")}/{Number(r, "items")}",
                }));
            var overdue = reviews.Count(r => r.GetProperty("overdue").GetBoolean());
            await context.Output.LineAsync($"{reviews.Count} review{(reviews.Count == 1 ? string.Empty : "s")}, {overdue} overdue");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "The review's id (rvw_…)." };
        var command = new Command("show", "Show a review and its items with their decisions.") { id };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var body = await api.GetAsync("v1/reviews/" + CommandArguments.Segment(context.Value(id)!), context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            context.Output.Fields(body.GetProperty("review"));
            context.Output.Table(
                ["ITEM", "KIND", "IDENTITY", "SUMMARY", "DECISION", "BY"],
                body.GetProperty("items").EnumerateArray().Select(i => new[]
                {
                    Number(i, "item"), CliOutput.Cell(i, "kind"), CliOutput.Cell(i, "identity"), CliOutput.Cell(i, "summary"), Pending(i, "decision"), Pending(i, "decided_by"),
                }));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Decide(GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "The review's id (rvw_…)." };
        var item = new Argument<int>("item") { Description = "The item's number, as 'mandate review show' lists it." };
        var certify = new Option<bool>("--certify") { Description = "Keep it: the access is still needed." };
        var revoke = new Option<bool>("--revoke") { Description = "Take it away now: a forbid in a new policy version, or the identity suspended." };
        var reason = new Option<string>("--reason") { Description = "Why (recorded with the decision and in the ledger).", Required = true, HelpName = "TEXT" };
        var command = new Command("decide", "Certify or revoke one item of a review (its reviewer).") { id, item, certify, revoke, reason };
        CliAction.Set(command, globals, async context =>
        {
            if (context.Value(certify) == context.Value(revoke))
            {
                throw CliException.Usage("give either --certify or --revoke.");
            }

            if (context.Value(item) < 1)
            {
                throw CliException.Usage("item: a number from 1, as 'mandate review show' lists it.");
            }

            using var api = await context.ConnectAsync();
            var body = await api.PostAsync(
                $"v1/reviews/{CommandArguments.Segment(context.Value(id)!)}/items/{context.Value(item).ToString(CultureInfo.InvariantCulture)}/decision",
                new Dictionary<string, object?> { ["decision"] = context.Value(revoke) ? "revoke" : "certify", ["reason"] = context.Value(reason) },
                context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
            }
            else
            {
                context.Output.Fields(body);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Lift(GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "The review's id (rvw_…)." };
        var item = new Argument<int>("item") { Description = "The revoked entitlement's item number, as 'mandate review show' lists it." };
        var reason = new Option<string>("--reason") { Description = "Why the access is given back (recorded with the lift and in the ledger).", Required = true, HelpName = "TEXT" };
        var command = new Command("lift", "Lift a revoked entitlement: a new policy version without its forbid (security or admin).") { id, item, reason };
        CliAction.Set(command, globals, async context =>
        {
            if (context.Value(item) < 1)
            {
                throw CliException.Usage("item: a number from 1, as 'mandate review show' lists it.");
            }

            using var api = await context.ConnectAsync();
            var body = await api.PostAsync(
                $"v1/reviews/{CommandArguments.Segment(context.Value(id)!)}/items/{context.Value(item).ToString(CultureInfo.InvariantCulture)}/lift",
                new Dictionary<string, object?> { ["reason"] = context.Value(reason) },
                context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
            }
            else
            {
                // The item's fields, then the lift's, in one grid.
                var lifted = body.GetProperty("lifted");
                context.Output.Fields(body.EnumerateObject()
                    .Where(p => p.Name != "lifted")
                    .Select(p => (p.Name, (string?)CliOutput.Cell(p.Value)))
                    .Concat(
                    [
                        ("lifted_by", CliOutput.Cell(lifted, "by")),
                        ("lifted_at", CliOutput.Cell(lifted, "at")),
                        ("lift_reason", CliOutput.Cell(lifted, "reason")),
                        ("lift_policy_version", CliOutput.Cell(lifted, "policy_version")),
                        ("lift_ledger_seq", CliOutput.Cell(lifted, "ledger_seq")),
                    ]));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Report(GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "The review's id (rvw_…)." };
        var command = new Command("report", "Report on a review: completion, every decision with who and when, and what is pending.") { id };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var body = await api.GetAsync("v1/reviews/" + CommandArguments.Segment(context.Value(id)!) + "/report", context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var review = body.GetProperty("review");
            var completion = body.GetProperty("completion");
            await context.Output.LineAsync(
                $"{CliOutput.Cell(review, "id")} ({OrAll(review)}), {CliOutput.Cell(review, "status")}, due {CliOutput.Cell(review, "due")}: " +
                $"{Number(completion, "decided")}/{Number(completion, "items")} decided ({CliOutput.Cell(completion, "percent")}%), " +
                $"{Number(completion, "certified")} certified, {Number(completion, "revoked")} revoked, {Number(completion, "pending")} pending");
            context.Output.Table(
                ["ITEM", "IDENTITY", "SUMMARY", "DECISION", "BY", "AT", "REASON", "ENFORCEMENT"],
                body.GetProperty("decisions").EnumerateArray().Select(d => new[]
                {
                    Number(d, "item"), CliOutput.Cell(d, "identity"), CliOutput.Cell(d, "summary"), CliOutput.Cell(d, "decision"), CliOutput.Cell(d, "by"),
                    CliOutput.Cell(d, "at"), CliOutput.Cell(d, "reason"), Pending(d, "enforcement"),
                }));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string OrAll(JsonElement review) =>
        review.TryGetProperty("owner", out var owner) && owner.ValueKind == JsonValueKind.String ? owner.GetString()! : "(all)";

    private static string Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetRawText() : "-";

    private static string Pending(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "-";
}
