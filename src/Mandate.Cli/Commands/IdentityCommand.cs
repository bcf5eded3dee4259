using System.CommandLine;
using System.Text.Json;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate identity register|list|show|suspend|reactivate|revoke|offboard|join-token|timeline</c>: the NHI
/// inventory through the admin API (<c>/v1/identities</c>, <c>/v1/attest/join-tokens</c>).
/// </summary>
internal static class IdentityCommand
{
    /// <summary>The source name of identities registered in Mandate (SPIFFE IDs), beside the import sources.</summary>
    private const string RuntimeSource = "spiffe";

    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "identity",
        "Manage the inventory of non-human identities.",
        Register(globals),
        List(globals),
        Show(globals),
        IdentityImportCommand.Create(globals),
        ChangeStatus(globals, "suspend", "Suspend an identity: its SVIDs stop validating until it is reactivated."),
        ChangeStatus(globals, "reactivate", "Reactivate a suspended identity."),
        ChangeStatus(globals, "revoke", "Revoke an identity for good: its SVIDs stop validating."),
        ChangeStatus(globals, "offboard", "Offboard an identity: it is retired and its credentials are revoked."),
        JoinToken(globals),
        AuditTimelineCommand.Create(globals));

    private static Argument<string> IdArgument() => new("spiffe-id") { Description = "The SPIFFE ID, e.g. spiffe://demo.mandate.local/svc/billing." };

    private static Command Register(GlobalOptions globals)
    {
        var id = IdArgument();
        var kind = new Option<string>("--kind") { Description = "workload, service_account, agent, api_key, certificate, ci_pipeline or static_secret.", Required = true, HelpName = "KIND" };
        var owner = new Option<string>("--owner") { Description = "Owning person or team (e.g. team:payments).", Required = true, HelpName = "OWNER" };
        var purpose = new Option<string>("--purpose") { Description = "Why the identity exists.", Required = true, HelpName = "TEXT" };
        var environment = new Option<string?>("--env") { Description = "Environment (default production).", HelpName = "ENV" };
        var expires = new Option<string>("--expires") { Description = "Expiry: a duration (90d, 12h, 30m) or an RFC 3339 time.", Required = true, HelpName = "WHEN" };
        var labels = new Option<string[]>("--label") { Description = "A label key=value (repeatable).", HelpName = "KEY=VALUE" };
        var command = new Command("register", "Register an identity (owner, purpose and expiry are required).") { id, kind, owner, purpose, environment, expires, labels };
        command.Aliases.Add("add");
        CliAction.Set(command, globals, async context =>
        {
            var (ttl, at) = CommandArguments.ExpiryOrUsage(context.Value(expires)!, "--expires");
            var body = new Dictionary<string, object?>
            {
                ["spiffe_id"] = context.Value(id),
                ["kind"] = context.Value(kind),
                ["owner"] = context.Value(owner),
                ["purpose"] = context.Value(purpose),
                ["environment"] = context.Value(environment),
                ["ttl_seconds"] = ttl,
                ["expires_at"] = at,
                ["labels"] = CommandArguments.PairsOrUsage(context.Value(labels), "--label"),
            };
            using var api = await context.ConnectAsync();
            await PrintIdentityAsync(context, await api.PostAsync("v1/identities", body, context.CancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(GlobalOptions globals)
    {
        var owner = new Option<string?>("--owner") { Description = "Only this owner.", HelpName = "OWNER" };
        var kind = new Option<string?>("--kind") { Description = "Only this kind.", HelpName = "KIND" };
        var status = new Option<string?>("--status") { Description = "Only this status (active, suspended, revoked, offboarded).", HelpName = "STATUS" };
        var environment = new Option<string?>("--env") { Description = "Only this environment.", HelpName = "ENV" };
        var label = new Option<string?>("--label") { Description = "Only identities with this label.", HelpName = "KEY=VALUE" };
        var prefix = new Option<string?>("--prefix") { Description = "Only SPIFFE IDs starting with this.", HelpName = "PREFIX" };
        var limit = new Option<int>("--limit") { Description = "At most this many (1-1000).", HelpName = "N", DefaultValueFactory = _ => 1000 };
        var source = new Option<string?>("--source") { Description = "Only this source: spiffe (registered runtime identities) or an import source (aws, k8s, …).", HelpName = "SOURCE" };
        var command = new Command("list", "List identities, registered and imported (source, owner, kind, status, expiry).") { owner, kind, status, environment, label, prefix, limit, source };
        CliAction.Set(command, globals, async context =>
        {
            if (context.Value(limit) is < 1 or > 1000)
            {
                throw CliException.Usage("--limit: must be between 1 and 1000.");
            }

            var query = CommandArguments.Query(
                ("owner", context.Value(owner)), ("kind", context.Value(kind)), ("status", context.Value(status)),
                ("environment", context.Value(environment)), ("label", context.Value(label)), ("prefix", context.Value(prefix)),
                ("limit", context.Value(limit).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            using var api = await context.ConnectAsync();
            var wanted = context.Value(source);
            var body = wanted is null or RuntimeSource
                ? await api.GetAsync("v1/identities" + query, context.CancellationToken)
                : JsonDocument.Parse("""{"identities":[]}""").RootElement.Clone();

            // Imported identities have no environment or labels to filter on, and their statuses are active or disabled.
            var imported = wanted is not RuntimeSource && context.Value(environment) is null && context.Value(label) is null
                ? await api.GetAsync("v1/inventory" + CommandArguments.Query(
                    ("source", wanted), ("owner", context.Value(owner)), ("kind", context.Value(kind)), ("prefix", context.Value(prefix)),
                    ("limit", context.Value(limit).ToString(System.Globalization.CultureInfo.InvariantCulture))), context.CancellationToken)
                : JsonDocument.Parse("""{"entries":[]}""").RootElement.Clone();
            var entries = imported.GetProperty("entries").EnumerateArray()
                .Where(e => context.Value(status) is not { } s || CliOutput.Cell(e, "status") == s)
                .ToList();
            if (context.Json)
            {
                await context.Output.JsonAsync(new Dictionary<string, object?>
                {
                    ["identities"] = body.GetProperty("identities"),
                    ["next"] = body.TryGetProperty("next", out var next) ? next : null,
                    ["imported"] = JsonSerializer.SerializeToElement(entries),
                    ["imported_next"] = imported.TryGetProperty("next", out var importedNext) ? importedNext : null,
                });
                return ExitCodes.Success;
            }

            var items = body.GetProperty("identities").EnumerateArray().ToList();
            context.Output.Table(
                ["ID", "SOURCE", "KIND", "STATUS", "OWNER", "ENV", "EXPIRES"],
                items.Select(i => new[] { CliOutput.Cell(i, "spiffe_id"), RuntimeSource, CliOutput.Cell(i, "kind"), CliOutput.Cell(i, "status"), CliOutput.Cell(i, "owner"), CliOutput.Cell(i, "environment"), CliOutput.Cell(i, "expires_at") })
                .Concat(entries.Select(e => new[] { CliOutput.Cell(e, "external_id"), CliOutput.Cell(e, "source"), CliOutput.Cell(e, "kind"), CliOutput.Cell(e, "status"), CliOutput.Cell(e, "owner"), string.Empty, CliOutput.Cell(e, "expires_at") })));
            var count = items.Count + entries.Count;
            await context.Output.LineAsync($"{count} identit{(count == 1 ? "y" : "ies")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(GlobalOptions globals)
    {
        var id = IdArgument();
        var command = new Command("show", "Show one identity.") { id };
        CliAction.Set(command, globals, async context =>
        {
            var value = CommandArguments.SpiffeIdOrUsage(context.Value(id), "spiffe-id");
            var path = "v1/identities/" + string.Join('/', value["spiffe://".Length..].Split('/').Select(Uri.EscapeDataString));
            using var api = await context.ConnectAsync();
            await PrintIdentityAsync(context, await api.GetAsync(path, context.CancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ChangeStatus(GlobalOptions globals, string verb, string description)
    {
        var id = IdArgument();
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the audit log).", HelpName = "TEXT" };
        var command = new Command(verb, description) { id, reason };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var body = new Dictionary<string, string?> { ["spiffe_id"] = context.Value(id), ["reason"] = context.Value(reason) };
            await PrintIdentityAsync(context, await api.PostAsync("v1/identities/" + verb, body, context.CancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command JoinToken(GlobalOptions globals)
    {
        var id = IdArgument();
        var ttl = new Option<string?>("--ttl") { Description = "How long the token may be redeemed: seconds or a duration (default: the server's).", HelpName = "SECONDS" };
        var command = new Command("join-token", "Create a one-time join token a host redeems at POST /v1/attest/join for the identity's first JWT-SVID.") { id, ttl };
        CliAction.Set(command, globals, async context =>
        {
            var body = new Dictionary<string, object?> { ["spiffe_id"] = context.Value(id), ["ttl_seconds"] = CommandArguments.SecondsOrUsage(context.Value(ttl), "--ttl") };
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync("v1/attest/join-tokens", body, context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(answer);
            }
            else
            {
                context.Output.Fields(answer);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task PrintIdentityAsync(CliContext context, JsonElement identity)
    {
        if (context.Json)
        {
            await context.Output.JsonAsync(identity);
            return;
        }

        context.Output.Fields(identity);
    }
}
