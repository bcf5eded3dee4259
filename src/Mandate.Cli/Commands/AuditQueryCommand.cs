using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mandate.Cli.Grammar;
using Mandate.Core;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server.Audit;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate audit query</c>: events by identity, task, credential, decision, type and time, from the server
/// (<c>GET /v1/audit/events</c>) or offline from <c>--store</c>. Both print the API's event shape
/// (<see cref="AuditEventView"/>): <c>{"events":[…],"next_after":…}</c>.
/// </summary>
internal static class AuditQueryCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var store = AuditCliSupport.StoreOption();
        var identity = new Option<string?>("--identity") { Description = "Events whose actor, subject or delegation chain is this identity.", HelpName = "ID" };
        var task = new Option<string?>("--task") { Description = "Events of this task.", HelpName = "TASK_ID" };
        var jti = new Option<string?>("--jti") { Description = "Events about this credential.", HelpName = "JTI" };
        var decision = new Option<string?>("--decision") { Description = "allow or deny.", HelpName = "DECISION" };
        decision.AcceptOnlyFromAmong("allow", "deny");
        var type = new Option<string?>("--type") { Description = "An event type, or a prefix ending in '.'.", HelpName = "TYPE" };
        var since = new Option<DateTimeOffset?>("--since") { Description = "From this time (RFC 3339, with Z or an offset).", HelpName = "TIME", CustomParser = Rfc3339Option };
        var until = new Option<DateTimeOffset?>("--until") { Description = "Before this time (RFC 3339, with Z or an offset).", HelpName = "TIME", CustomParser = Rfc3339Option };
        var limit = new Option<int>("--limit") { Description = $"At most this many events (1-{AuditQuery.MaxLimit}).", HelpName = "N", DefaultValueFactory = _ => AuditQuery.DefaultLimit };
        var after = new Option<long>("--after") { Description = "Only events after this sequence number.", HelpName = "SEQ" };
        var command = new Command("query", "Find events by identity, task, credential, decision, type and time (server, or offline with --store).") { store, identity, task, jti, decision, type, since, until, limit, after };
        CliAction.Set(command, globals, async context =>
        {
            if (context.Value(limit) is < 1 or > AuditQuery.MaxLimit)
            {
                throw CliException.Usage($"--limit: must be between 1 and {AuditQuery.MaxLimit}.");
            }

            var query = new AuditQuery
            {
                Identity = context.Value(identity),
                TaskId = context.Value(task),
                CredentialId = context.Value(jti),
                Decision = context.Value(decision),
                Type = context.Value(type),
                Since = context.Value(since),
                Until = context.Value(until),
                Limit = context.Value(limit),
                AfterSequence = context.Value(after),
            };

            JsonElement answer;
            if (context.Value(store) is { } location)
            {
                var records = await AuditCliSupport.WithStoreAsync(location, async opened =>
                {
                    await using var session = await opened.BeginAsync(StoreIntent.Read, context.CancellationToken);
                    return await session.Get<IAuditRepository>().QueryAsync(query, context.CancellationToken);
                });

                // Exactly what the server answers for the same query.
                answer = JsonSerializer.SerializeToElement(
                    new { events = records.Select(AuditEventView.From).ToList(), next_after = records.Count == query.Limit ? records[^1].Sequence : (long?)null },
                    CliOutput.ApiJson);
            }
            else
            {
                using var api = await context.ConnectAsync();
                answer = await api.GetAsync(
                    "v1/audit/events" + CommandArguments.Query(
                        ("identity", query.Identity), ("task", query.TaskId), ("jti", query.CredentialId), ("decision", query.Decision), ("type", query.Type),
                        ("since", query.Since?.ToString("O", CultureInfo.InvariantCulture)), ("until", query.Until?.ToString("O", CultureInfo.InvariantCulture)),
                        ("after", query.AfterSequence.ToString(CultureInfo.InvariantCulture)), ("limit", query.Limit.ToString(CultureInfo.InvariantCulture))),
                    context.CancellationToken);
            }

            if (context.Json)
            {
                await context.Output.JsonAsync(answer);
                return ExitCodes.Success;
            }

            var events = answer.GetProperty("events").EnumerateArray().ToList();
            context.Output.Table(
                ["SEQ", "TIME", "TYPE", "ACTOR", "SUBJECT", "ACTION", "RESOURCE", "DECISION", "JTI", "TASK", "REASON"],
                events.Select(e => new[]
                {
                    CliOutput.Cell(e, "seq"), CliOutput.Cell(e, "time"), CliOutput.Cell(e, "type"), CliOutput.Cell(e, "actor"), CliOutput.Cell(e, "subject"),
                    CliOutput.Cell(e, "action"), CliOutput.Cell(e, "resource"), CliOutput.Cell(e, "decision"), CliOutput.Cell(e, "jti"), CliOutput.Cell(e, "task_id"), CliOutput.Cell(e, "reason"),
                }));
            var next = answer.TryGetProperty("next_after", out var n) && n.ValueKind == JsonValueKind.Number ? $" (more: --after {n.GetInt64().ToString(CultureInfo.InvariantCulture)})" : string.Empty;
            await context.Output.LineAsync($"{events.Count} events{next}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>RFC 3339 only: System.CommandLine's own DateTimeOffset parsing follows the machine's culture and
    /// takes a time without a zone as local, and the server, which is strict, would never see what was typed.</summary>
    internal static DateTimeOffset? Rfc3339Option(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (Rfc3339.TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"'{text}' is not an RFC 3339 time with a zone, e.g. 2026-01-31T12:00:00Z.");
        return null;
    }
}
