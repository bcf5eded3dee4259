using System.CommandLine;
using System.Text.Json;
using Mandate.Cli.Grammar;
using Mandate.Core.Audit;
using Mandate.Core.Storage;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>timeline ID</c>: an identity's credentials, their uses, decisions, delegations and revocations, rebuilt from the
/// audit ledger by the server (<c>GET /v1/identities/{id}/timeline</c>) or offline from <c>--store</c>, in the same
/// shape. Registered as <c>mandate audit timeline</c> and <c>mandate identity timeline</c>.
/// </summary>
internal static class AuditTimelineCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = new Argument<string>("spiffe-id") { Description = "The identity (a SPIFFE ID)." };
        var store = AuditCliSupport.StoreOption();
        var command = new Command("timeline", "Reconstruct an identity's access history from the audit ledger (server, or offline with --store).") { id, store };
        CliAction.Set(command, globals, async context =>
        {
            // Otherwise a typo gets an empty timeline and exit 0, as if the identity had done nothing.
            var identity = CommandArguments.SpiffeIdOrUsage(context.Value(id), "spiffe-id");
            JsonElement timeline;
            if (context.Value(store) is { } location)
            {
                var built = await AuditCliSupport.WithStoreAsync(location, async opened =>
                {
                    await using var session = await opened.BeginAsync(StoreIntent.Read, context.CancellationToken);
                    return await AuditTimelineBuilder.BuildAsync(session, identity, context.CancellationToken);
                });
                timeline = JsonSerializer.SerializeToElement(built, CliOutput.ApiJson);
            }
            else
            {
                using var api = await context.ConnectAsync();
                timeline = await api.GetAsync($"v1/identities/{Uri.EscapeDataString(identity)}/timeline", context.CancellationToken);
            }

            if (context.Json)
            {
                await context.Output.JsonAsync(timeline);
            }
            else
            {
                await WriteTextAsync(context.Output, timeline);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task WriteTextAsync(CliOutput output, JsonElement timeline)
    {
        static string C(JsonElement e, string name) => CliOutput.Cell(e, name);
        static string Chain(JsonElement e, string prefix) =>
            e.TryGetProperty("chain", out var chain) && chain.ValueKind == JsonValueKind.Array && chain.GetArrayLength() > 0
                ? prefix + string.Join(" > ", chain.EnumerateArray().Select(c => c.GetString()))
                : string.Empty;
        static List<JsonElement> Items(JsonElement e, string name) =>
            e.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [];

        var events = Items(timeline, "events");
        var truncated = timeline.TryGetProperty("truncated", out var t) && t.ValueKind == JsonValueKind.True;
        await output.LineAsync($"Timeline of {C(timeline, "identity")}: {events.Count} events{(truncated ? " (truncated)" : string.Empty)}");
        var credentials = Items(timeline, "credentials");
        await output.LineAsync($"Credentials ({credentials.Count}):");
        foreach (var c in credentials)
        {
            var task = C(c, "task_id") is var taskId && taskId != "-" ? " for task " + taskId : string.Empty;
            var parent = C(c, "parent_jti") is var parentJti && parentJti != "-" ? " from " + parentJti : string.Empty;
            await output.LineAsync($"  {C(c, "jti")} ({C(c, "kind")}) issued {C(c, "issued_at")} by {C(c, "issued_by")}{task}{parent}{Chain(c, " chain ")}");
            foreach (var use in Items(c, "uses"))
            {
                await output.LineAsync("    " + string.Join(' ', new[] { "time", "type", "action", "resource", "decision" }.Select(name => C(use, name)).Where(v => v != "-")));
            }

            var reason = C(c, "revocation_reason") is var why && why != "-" ? ": " + why : string.Empty;
            await output.LineAsync(C(c, "revoked_at") != "-" ? $"    revoked {C(c, "revoked_at")} by {C(c, "revoked_by")}{reason}" : "    not revoked");
        }

        var delegations = Items(timeline, "delegations");
        await output.LineAsync($"Delegations ({delegations.Count}):");
        foreach (var d in delegations)
        {
            await output.LineAsync($"  {C(d, "time")} {C(d, "from")} acted for {C(d, "to")}{Chain(d, " via ")} (jti {C(d, "jti")})");
        }

        var decisions = Items(timeline, "decisions");
        await output.LineAsync($"Decisions ({decisions.Count}):");
        foreach (var d in decisions)
        {
            var reason = C(d, "reason") is var why && why != "-" ? ": " + why : string.Empty;
            await output.LineAsync($"  {C(d, "time")} {C(d, "decision")} {C(d, "action")} on {C(d, "resource")} (policy {C(d, "policy_version")}){reason}");
        }
    }
}
