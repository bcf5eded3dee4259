using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate alerts</c>: detection's alerts (<c>GET /v1/alerts</c>) by rule, identity and time; with <c>--follow</c>,
/// every new one as it is raised (<c>GET /v1/alerts/stream</c>, server-sent events), one line each (one JSON object per
/// line with <c>--json</c>), until interrupted.
/// </summary>
internal static class AlertsCommand
{
    private static readonly string[] Rules =
    [
        "credential_reuse", "jti_multi_source", "exchange_replay", "scope_widening_attempt", "beyond_task_scope", "deny_burst",
        "privilege_escalation_attempt", "suspended_identity_use", "first_seen_action", "rate_anomaly", "exception_use", "breakglass",
    ];

    private static readonly string[] Columns = ["SEQ", "TIME", "RULE", "SEVERITY", "IDENTITY", "RESPONSE", "EVIDENCE", "SUMMARY"];

    public static Command Create(GlobalOptions globals)
    {
        var rule = new Option<string?>("--rule") { Description = "Only alerts of this rule.", HelpName = "RULE" };
        rule.AcceptOnlyFromAmong(Rules);
        var identity = new Option<string?>("--identity") { Description = "Only alerts about this identity (its SPIFFE ID).", HelpName = "ID" };
        var since = new Option<DateTimeOffset?>("--since") { Description = "From this time (RFC 3339, with Z or an offset).", HelpName = "TIME", CustomParser = AuditQueryCommand.Rfc3339Option };
        var until = new Option<DateTimeOffset?>("--until") { Description = "Before this time (RFC 3339, with Z or an offset).", HelpName = "TIME", CustomParser = AuditQueryCommand.Rfc3339Option };
        var limit = new Option<int>("--limit") { Description = "At most this many alerts (1-1000).", HelpName = "N", DefaultValueFactory = _ => 100 };
        var after = new Option<long>("--after") { Description = "Only alerts after this alert sequence number.", HelpName = "SEQ" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new alerts as they are raised (server-sent events) until interrupted." };
        var format = new Option<string?>("--format") { Description = "ocsf: print the alerts as OCSF Detection Findings, one JSON object per line (for a SIEM).", HelpName = "FORMAT" };
        format.AcceptOnlyFromAmong("ocsf");
        var command = new Command("alerts", "List detection alerts (by rule, identity, time), or follow them as they are raised.") { rule, identity, since, until, limit, after, follow, format };
        CliAction.Set(command, globals, async context =>
        {
            if (context.Value(limit) is < 1 or > 1000)
            {
                throw CliException.Usage("--limit: must be between 1 and 1000.");
            }

            if (context.Value(follow) && context.Given(limit))
            {
                throw CliException.Usage("--limit: not with --follow (it prints every alert until interrupted).");
            }

            var filters = new List<(string, string?)>
            {
                ("rule", context.Value(rule)),
                ("identity", context.Value(identity)),
                ("since", context.Value(since)?.ToString("O", CultureInfo.InvariantCulture)),
                ("until", context.Value(until)?.ToString("O", CultureInfo.InvariantCulture)),
                ("after", context.Value(after).ToString(CultureInfo.InvariantCulture)),
            };
            if (context.Value(follow))
            {
                if (context.Value(format) is not null)
                {
                    throw CliException.Usage("--format: not with --follow (the stream carries alerts as the API shows them).");
                }

                return await FollowAsync(context, filters);
            }

            if (context.Value(format) == "ocsf")
            {
                filters.Add(("limit", context.Value(limit).ToString(CultureInfo.InvariantCulture)));
                filters.Add(("format", "ocsf"));
                using var ocsfApi = await context.ConnectAsync();
                var findings = await ocsfApi.GetAsync("v1/alerts" + CommandArguments.Query([.. filters]), context.CancellationToken);
                foreach (var finding in findings.GetProperty("findings").EnumerateArray())
                {
                    await context.Output.Out.WriteLineAsync(finding.GetRawText());
                }

                return ExitCodes.Success;
            }

            filters.Add(("limit", context.Value(limit).ToString(CultureInfo.InvariantCulture)));
            using var api = await context.ConnectAsync();
            var answer = await api.GetAsync("v1/alerts" + CommandArguments.Query([.. filters]), context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(answer);
                return ExitCodes.Success;
            }

            var alerts = answer.GetProperty("alerts").EnumerateArray().ToList();
            context.Output.Table(Columns, alerts.Select(Row));
            var next = answer.TryGetProperty("next_after", out var n) && n.ValueKind == JsonValueKind.Number ? $" (more: --after {n.GetInt64().ToString(CultureInfo.InvariantCulture)})" : string.Empty;
            await context.Output.LineAsync($"{alerts.Count} alert{(alerts.Count == 1 ? string.Empty : "s")}{next}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string[] Row(JsonElement alert) =>
    [
        CliOutput.Cell(alert, "seq"), CliOutput.Cell(alert, "time"), CliOutput.Cell(alert, "rule"), CliOutput.Cell(alert, "severity"),
        CliOutput.Cell(alert, "identity"), Response(alert), CliOutput.Cell(alert, "evidence"), CliOutput.Cell(alert, "summary"),
    ];

    private static string Response(JsonElement alert)
    {
        if (!alert.TryGetProperty("response", out var response) || response.ValueKind != JsonValueKind.Object)
        {
            return "-";
        }

        var actions = CliOutput.Cell(response, "actions");
        return response.TryGetProperty("risk", out var risk) && risk.ValueKind == JsonValueKind.Object
            ? $"{actions} (risk {CliOutput.Cell(risk, "score")} {CliOutput.Cell(risk, "level")})"
            : actions;
    }

    private static async Task<int> FollowAsync(CliContext context, List<(string, string?)> filters)
    {
        // No client timeout: the stream stays open until the user interrupts it; the server sends keep-alives.
        using var api = await context.ConnectAsync(timeout: Timeout.InfiniteTimeSpan);
        using var response = await api.GetStreamAsync("v1/alerts/stream" + CommandArguments.Query([.. filters]), context.CancellationToken);
        var stream = await response.Content.ReadAsStreamAsync(context.CancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var data = new StringBuilder();
        try
        {
            while (await reader.ReadLineAsync(context.CancellationToken) is { } line)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(line.AsSpan(5).TrimStart(' '));
                    continue;
                }

                if (line.Length != 0 || data.Length == 0)
                {
                    continue;
                }

                using var document = JsonDocument.Parse(data.ToString());
                data.Clear();
                if (context.Json)
                {
                    await context.Output.Out.WriteLineAsync(document.RootElement.GetRawText());
                }
                else
                {
                    await context.Output.Out.WriteLineAsync(string.Join("  ", Row(document.RootElement)));
                }

                await context.Output.Out.FlushAsync(context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
        catch (IOException ex)
        {
            throw CliException.Unavailable($"{api.Server}: the alert stream broke: {ex.Message}", ex);
        }

        throw CliException.Unavailable($"{api.Server}: the alert stream ended (the server stopped).");
    }
}
