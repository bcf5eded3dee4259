using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mandate.Core;
using Mandate.Core.Audit;
using Mandate.Core.Storage;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate audit query</c>: events by identity, task, credential, decision, type and time, from a store or a server.</summary>
internal static class AuditQueryCommand
{
    public static Command Create()
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
        var limit = new Option<int>("--limit") { Description = $"At most this many events (1–{AuditQuery.MaxLimit}).", HelpName = "N", DefaultValueFactory = _ => AuditQuery.DefaultLimit };
        var after = new Option<long>("--after") { Description = "Only events after this sequence number.", HelpName = "SEQ" };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("query", "Find events by identity, task, credential, decision, type and time.") { store, identity, task, jti, decision, type, since, until, limit, after, json };
        var server = AuditCliSupport.AddServer(command, "Query a running server's admin API instead of a store");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(limit) is < 1 or > AuditQuery.MaxLimit)
            {
                await error.WriteLineAsync($"error: --limit must be between 1 and {AuditQuery.MaxLimit}.");
                return CliApplication.UsageError;
            }

            var query = new AuditQuery
            {
                Identity = parse.GetValue(identity),
                TaskId = parse.GetValue(task),
                CredentialId = parse.GetValue(jti),
                Decision = parse.GetValue(decision),
                Type = parse.GetValue(type),
                Since = parse.GetValue(since),
                Until = parse.GetValue(until),
                Limit = parse.GetValue(limit),
                AfterSequence = parse.GetValue(after),
            };
            try
            {
                if (server.Requested(parse))
                {
                    var parameters = new List<string>();
                    void Add(string name, string? value)
                    {
                        if (value is not null)
                        {
                            parameters.Add(name + "=" + Uri.EscapeDataString(value));
                        }
                    }

                    Add("identity", query.Identity);
                    Add("task", query.TaskId);
                    Add("jti", query.CredentialId);
                    Add("decision", query.Decision);
                    Add("type", query.Type);
                    Add("since", query.Since?.ToString("O", CultureInfo.InvariantCulture));
                    Add("until", query.Until?.ToString("O", CultureInfo.InvariantCulture));
                    Add("after", query.AfterSequence.ToString(CultureInfo.InvariantCulture));
                    Add("limit", query.Limit.ToString(CultureInfo.InvariantCulture));
                    return await AuditCliSupport.PrintAdminGetAsync(parse, server, "v1/audit/events?" + string.Join('&', parameters), cancellationToken);
                }

                var (opened, problem) = AuditCliSupport.Open(parse.GetValue(store));
                if (opened is null)
                {
                    await error.WriteLineAsync("error: " + problem);
                    return 1;
                }

                await using (opened)
                {
                    await using var session = await opened.BeginAsync(StoreIntent.Read, cancellationToken);
                    var records = await session.Get<IAuditRepository>().QueryAsync(query, cancellationToken);
                    if (parse.GetValue(json))
                    {
                        await output.WriteLineAsync(JsonSerializer.Serialize(records.Select(r => new { seq = r.Sequence, time = AuditCanonicalForm.FormatTime(r.Time), @event = r.Event, hash = r.Hash }), AuditCliSupport.Json));
                    }
                    else
                    {
                        foreach (var r in records)
                        {
                            var e = r.Event;
                            await output.WriteLineAsync(string.Join(
                                "  ",
                                new[] { r.Sequence.ToString(CultureInfo.InvariantCulture), AuditCanonicalForm.FormatTime(r.Time), e.Type, e.Actor, e.Subject, e.Action, e.Resource, e.Decision, e.CredentialId is null ? null : "jti=" + e.CredentialId, e.TaskId is null ? null : "task=" + e.TaskId, e.Reason }
                                    .Where(v => v is not null)));
                        }

                        await output.WriteLineAsync($"{records.Count} events");
                    }
                }

                return 0;
            }
            catch (Exception ex) when (AuditCliSupport.Describe(ex) is { } described)
            {
                await error.WriteLineAsync("error: " + described);
                return 1;
            }
        });
        return command;
    }

    /// <summary>RFC 3339 only: System.CommandLine's own DateTimeOffset parsing follows the machine's culture and
    /// takes a time without a zone as local, and the server, which is strict, would never see what was typed.</summary>
    private static DateTimeOffset? Rfc3339Option(System.CommandLine.Parsing.ArgumentResult result)
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
