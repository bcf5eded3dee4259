using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate webhook add|list|remove|dead-letters|redeliver</c>: signed webhooks (Standard Webhooks) that carry alerts
/// and lifecycle events to an operator's receivers (<c>/v1/webhooks</c>, security role).
/// </summary>
internal static class WebhookCommand
{
    private static readonly string[] EventTypes = ["alert.raised", "alert.responded", "credential.revoked", "identity.status_changed", "risk.cleared"];

    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "webhook",
        "Send alerts and lifecycle events to receivers as signed webhooks (Standard Webhooks), with retries and a dead-letter list.",
        Add(globals),
        List(globals),
        Remove(globals),
        DeadLetters(globals),
        Redeliver(globals));

    private static Command Add(GlobalOptions globals)
    {
        var url = new Argument<string>("url") { Description = "The receiver's http(s) URL; every event is POSTed there, signed." };
        var events = new Option<string[]>("--event") { Description = "An event type to send (repeatable; default alert.raised).", HelpName = "TYPE", AllowMultipleArgumentsPerToken = false };
        events.AcceptOnlyFromAmong(EventTypes);
        var description = new Option<string?>("--description") { Description = "What the receiver is.", HelpName = "TEXT" };
        var output = new Option<FileInfo?>("--secret-file") { Description = "Write the signing secret to this new file (mode 0600) instead of printing it.", HelpName = "FILE" };
        var command = new Command("add", "Add a webhook endpoint; its signing secret (whsec_…) is shown once.") { url, events, description, output };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var chosen = context.Value(events) is { Length: > 0 } e ? e : null;
            var answer = await api.PostAsync("v1/webhooks", new { url = context.Value(url), events = chosen, description = context.Value(description) }, context.CancellationToken);
            if (context.Value(output) is { } file)
            {
                await SecretOutput.WriteAsync(file, answer.GetProperty("secret").GetString()!, "--secret-file", context.CancellationToken);
                var shown = answer.EnumerateObject().Where(p => p.Name != "secret").ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                shown["secret_file"] = JsonSerializer.SerializeToElement(file.FullName);
                answer = JsonSerializer.SerializeToElement(shown);
            }

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

    private static Command List(GlobalOptions globals)
    {
        var command = new Command("list", "List webhook endpoints (their URLs without query, never their secrets).");
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var body = await api.GetAsync("v1/webhooks", context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var items = body.GetProperty("webhooks").EnumerateArray().ToList();
            context.Output.Table(
                ["ID", "URL", "EVENTS", "DESCRIPTION", "CREATED", "BY"],
                items.Select(w => new[] { CliOutput.Cell(w, "id"), CliOutput.Cell(w, "url"), CliOutput.Cell(w, "events"), CliOutput.Cell(w, "description"), CliOutput.Cell(w, "created_at"), CliOutput.Cell(w, "created_by") }));
            await context.Output.LineAsync($"{items.Count} webhook{(items.Count == 1 ? string.Empty : "s")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove(GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "The endpoint's id (wh_…), as list shows it." };
        var command = new Command("remove", "Remove a webhook endpoint; its undelivered messages are dropped.") { id };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            await api.SendAsync(HttpMethod.Delete, "v1/webhooks/" + CommandArguments.Segment(context.Value(id)!), null, context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(JsonSerializer.SerializeToElement(new { removed = context.Value(id) }));
                return ExitCodes.Success;
            }

            await context.Output.LineAsync($"removed {context.Value(id)}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DeadLetters(GlobalOptions globals)
    {
        var webhook = new Option<string?>("--webhook") { Description = "Only messages of this endpoint (wh_…).", HelpName = "ID" };
        var limit = new Option<int>("--limit") { Description = "At most this many messages (1-1000).", HelpName = "N", DefaultValueFactory = _ => 100 };
        var command = new Command("dead-letters", "List messages every attempt failed for (or the receiver refused for good).") { webhook, limit };
        CliAction.Set(command, globals, async context =>
        {
            if (context.Value(limit) is < 1 or > 1000)
            {
                throw CliException.Usage("--limit: must be between 1 and 1000.");
            }

            using var api = await context.ConnectAsync();
            var body = await api.GetAsync(
                "v1/webhooks/dead-letters" + CommandArguments.Query(("webhook", context.Value(webhook)), ("limit", context.Value(limit).ToString(CultureInfo.InvariantCulture))),
                context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var items = body.GetProperty("messages").EnumerateArray().ToList();
            context.Output.Table(
                ["ID", "WEBHOOK", "TYPE", "CREATED", "ATTEMPTS", "STATUS", "ERROR", "FAILED"],
                items.Select(m => new[] { CliOutput.Cell(m, "id"), CliOutput.Cell(m, "webhook_id"), CliOutput.Cell(m, "type"), CliOutput.Cell(m, "created_at"), CliOutput.Cell(m, "attempts"), CliOutput.Cell(m, "last_status"), CliOutput.Cell(m, "last_error"), CliOutput.Cell(m, "failed_at") }));
            await context.Output.LineAsync($"{items.Count} dead letter{(items.Count == 1 ? string.Empty : "s")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Redeliver(GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "A dead message (msg_…), or an endpoint (wh_…) to redeliver all of its dead messages." };
        var command = new Command("redeliver", "Queue dead messages again, with a fresh attempt count.") { id };
        CliAction.Set(command, globals, async context =>
        {
            var target = context.Value(id)!;
            var path = target.StartsWith("wh_", StringComparison.Ordinal)
                ? $"v1/webhooks/{CommandArguments.Segment(target)}/redeliver"
                : $"v1/webhooks/messages/{CommandArguments.Segment(target)}/redeliver";
            using var api = await context.ConnectAsync();
            var body = await api.PostAsync(path, null, context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var ids = body.GetProperty("redelivered").EnumerateArray().Select(e => e.GetString()).ToList();
            await context.Output.LineAsync(ids.Count == 0 ? "nothing to redeliver (no dead message)" : $"redelivering {string.Join(", ", ids)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
