using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate identity add|list|show|suspend|revoke</c>: the NHI inventory through the server's admin API (server and
/// admin token: <see cref="AdminConnection"/>).
/// </summary>
internal static class IdentityCommand
{
    public static Command Create()
    {
        var command = new Command("identity", "Manage the inventory of non-human identities (admin API).");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(ChangeStatus("suspend", "Suspend an identity: its SVIDs stop validating until it is reactivated."));
        command.Subcommands.Add(ChangeStatus("revoke", "Revoke an identity for good: its SVIDs stop validating."));
        command.Subcommands.Add(AuditTimelineCommand.Create());
        return command;
    }

    private static AdminConnection AddConnection(Command command) => AdminConnection.AddTo(command, "Server URL.");

    private static Command Add()
    {
        var id = new Argument<string>("spiffe-id") { Description = "The SPIFFE ID, e.g. spiffe://demo.mandate.local/svc/billing." };
        var kind = new Option<string>("--kind") { Description = "workload, service_account, agent, api_key, certificate, ci_pipeline or static_secret.", Required = true };
        var owner = new Option<string>("--owner") { Description = "Owning person or team (e.g. team:payments).", Required = true };
        var purpose = new Option<string>("--purpose") { Description = "Why the identity exists.", Required = true };
        var environment = new Option<string?>("--env") { Description = "Environment (default production).", HelpName = "ENV" };
        var expires = new Option<string>("--expires") { Description = "Expiry: a duration (90d, 12h, 30m) or an RFC 3339 time.", Required = true, HelpName = "WHEN" };
        var labels = new Option<string[]>("--label") { Description = "A label key=value (repeatable).", HelpName = "KEY=VALUE", AllowMultipleArgumentsPerToken = false };
        var json = new Option<bool>("--json") { Description = "Print the server's JSON." };
        var command = new Command("add", "Register an identity (owner, purpose and expiry are required).") { id, kind, owner, purpose, environment, expires, labels, json };
        var connection = AddConnection(command);
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var body = new Dictionary<string, object?>
            {
                ["spiffe_id"] = parse.GetValue(id),
                ["kind"] = parse.GetValue(kind),
                ["owner"] = parse.GetValue(owner),
                ["purpose"] = parse.GetValue(purpose),
                ["environment"] = parse.GetValue(environment),
            };
            var when = parse.GetValue(expires)!;
            if (TryParseDuration(when, out var ttl))
            {
                body["ttl_seconds"] = (long)ttl.TotalSeconds;
            }
            else if (Rfc3339.TryParse(when, out var at))
            {
                body["expires_at"] = at;
            }
            else
            {
                await error.WriteLineAsync($"error: --expires: '{when}' is neither a duration (90d, 12h, 30m) nor an RFC 3339 time.");
                return CliApplication.UsageError;
            }

            var labelMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var label in parse.GetValue(labels) ?? [])
            {
                var equals = label.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    await error.WriteLineAsync($"error: --label: '{label}' is not key=value.");
                    return CliApplication.UsageError;
                }

                labelMap[label[..equals]] = label[(equals + 1)..];
            }

            body["labels"] = labelMap;
            return await CallAsync(parse, connection, client => client.PostAsJsonAsync("/v1/identities", body, ct), parse.GetValue(json), PrintIdentity, ct);
        });
        return command;
    }

    private static Command List()
    {
        var owner = new Option<string?>("--owner") { Description = "Only this owner." };
        var kind = new Option<string?>("--kind") { Description = "Only this kind." };
        var status = new Option<string?>("--status") { Description = "Only this status (active, suspended, revoked, offboarded)." };
        var environment = new Option<string?>("--env") { Description = "Only this environment.", HelpName = "ENV" };
        var label = new Option<string?>("--label") { Description = "Only identities with this label.", HelpName = "KEY=VALUE" };
        var prefix = new Option<string?>("--prefix") { Description = "Only SPIFFE IDs starting with this." };
        var json = new Option<bool>("--json") { Description = "Print the server's JSON." };
        var command = new Command("list", "List identities.") { owner, kind, status, environment, label, prefix, json };
        var connection = AddConnection(command);
        command.SetAction(async (parse, ct) =>
        {
            var query = new List<string>();
            void Add(string name, string? value)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    query.Add(name + "=" + Uri.EscapeDataString(value));
                }
            }

            Add("owner", parse.GetValue(owner));
            Add("kind", parse.GetValue(kind));
            Add("status", parse.GetValue(status));
            Add("environment", parse.GetValue(environment));
            Add("label", parse.GetValue(label));
            Add("prefix", parse.GetValue(prefix));
            query.Add("limit=1000");
            return await CallAsync(parse, connection, client => client.GetAsync(new Uri("/v1/identities?" + string.Join('&', query), UriKind.Relative), ct), parse.GetValue(json), PrintList, ct);
        });
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("spiffe-id") { Description = "The SPIFFE ID." };
        var json = new Option<bool>("--json") { Description = "Print the server's JSON." };
        var command = new Command("show", "Show one identity.") { id, json };
        var connection = AddConnection(command);
        command.SetAction(async (parse, ct) =>
        {
            var value = parse.GetValue(id)!;
            if (!value.StartsWith("spiffe://", StringComparison.Ordinal))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: '{value}' is not a SPIFFE ID (spiffe://trust-domain/path).");
                return CliApplication.UsageError;
            }

            var path = "/v1/identities/" + string.Join('/', value["spiffe://".Length..].Split('/').Select(Uri.EscapeDataString));
            return await CallAsync(parse, connection, client => client.GetAsync(new Uri(path, UriKind.Relative), ct), parse.GetValue(json), PrintIdentity, ct);
        });
        return command;
    }

    private static Command ChangeStatus(string verb, string description)
    {
        var id = new Argument<string>("spiffe-id") { Description = "The SPIFFE ID." };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the audit log)." };
        var json = new Option<bool>("--json") { Description = "Print the server's JSON." };
        var command = new Command(verb, description) { id, reason, json };
        var connection = AddConnection(command);
        command.SetAction(async (parse, ct) =>
            await CallAsync(
                parse,
                connection,
                client => client.PostAsJsonAsync("/v1/identities/" + verb, new Dictionary<string, string?> { ["spiffe_id"] = parse.GetValue(id), ["reason"] = parse.GetValue(reason) }, ct),
                parse.GetValue(json),
                PrintIdentity,
                ct));
        return command;
    }

    private static async Task<int> CallAsync(ParseResult parse, AdminConnection connection, Func<HttpClient, Task<HttpResponseMessage>> call, bool json, Func<JsonElement, TextWriter, Task> print, CancellationToken ct)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var (connected, exitCode) = await connection.ConnectAsync(parse, ct);
        if (connected is null)
        {
            return exitCode;
        }

        using var client = connected;
        var server = client.BaseAddress;
        HttpResponseMessage response;
        try
        {
            response = await call(client);
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"error: cannot reach {server}: {ex.Message}");
            return 1;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonElement body;
            try
            {
                body = JsonDocument.Parse(text).RootElement;
            }
            catch (JsonException)
            {
                await error.WriteLineAsync($"error: the server answered {(int)response.StatusCode} without JSON.");
                return 1;
            }

            if (!response.IsSuccessStatusCode)
            {
                var code = body.TryGetProperty("code", out var c) ? c.GetString() : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                var detail = body.TryGetProperty("detail", out var d) ? d.GetString() : body.TryGetProperty("title", out var t) ? t.GetString() : null;
                await error.WriteLineAsync($"error: {code}: {detail}");
                return 1;
            }

            if (json)
            {
                await output.WriteLineAsync(text);
            }
            else
            {
                await print(body, output);
            }

            return 0;
        }
    }

    private static async Task PrintIdentity(JsonElement identity, TextWriter output)
    {
        foreach (var name in new[] { "spiffe_id", "kind", "owner", "purpose", "environment", "status", "status_reason", "created_at", "expires_at" })
        {
            if (identity.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                await output.WriteLineAsync($"{name,-14}{value}");
            }
        }

        if (identity.TryGetProperty("labels", out var labels) && labels.EnumerateObject().Any())
        {
            await output.WriteLineAsync($"{"labels",-14}{string.Join(", ", labels.EnumerateObject().Select(l => l.Name + "=" + l.Value.GetString()))}");
        }
    }

    private static async Task PrintList(JsonElement body, TextWriter output)
    {
        var items = body.GetProperty("identities").EnumerateArray().ToList();
        var width = Math.Max(9, items.Count == 0 ? 0 : items.Max(i => i.GetProperty("spiffe_id").GetString()!.Length));
        await output.WriteLineAsync($"{"SPIFFE ID".PadRight(width)}  {"KIND",-15} {"STATUS",-10} {"OWNER",-18} EXPIRES");
        foreach (var i in items)
        {
            await output.WriteLineAsync(
                $"{i.GetProperty("spiffe_id").GetString()!.PadRight(width)}  {i.GetProperty("kind").GetString(),-15} {i.GetProperty("status").GetString(),-10} {i.GetProperty("owner").GetString(),-18} {i.GetProperty("expires_at").GetDateTimeOffset().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
        }

        await output.WriteLineAsync($"{items.Count} identit{(items.Count == 1 ? "y" : "ies")}");
    }

    private static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length < 2 || !long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > 100_000)
        {
            return false;
        }

        duration = text[^1] switch
        {
            'd' => TimeSpan.FromDays(n),
            'h' => TimeSpan.FromHours(n),
            'm' => TimeSpan.FromMinutes(n),
            's' => TimeSpan.FromSeconds(n),
            _ => TimeSpan.Zero,
        };
        return duration > TimeSpan.Zero;
    }
}
