using System.CommandLine;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Identity;
using Mandate.Core.Storage;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>timeline ID</c>: an identity's credentials, their uses, decisions, delegations and revocations, rebuilt from the
/// audit ledger. Registered as <c>mandate audit timeline</c> and, by the identity command, as <c>mandate identity timeline</c>.
/// </summary>
internal static class AuditTimelineCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("ID") { Description = "The identity (a SPIFFE ID)." };
        var store = AuditCliSupport.StoreOption();
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("timeline", "Reconstruct an identity's access history from the audit ledger.") { id, store, json };
        var server = AuditCliSupport.AddServer(command, "Ask a running server instead");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var identity = parse.GetValue(id)!;
            if (!SpiffeId.TryParse(identity, out _, out var notSpiffe))
            {
                // Otherwise a typo gets an empty timeline and exit 0, as if the identity had done nothing.
                await error.WriteLineAsync($"error: ID: '{identity}' is not a SPIFFE ID: {notSpiffe}.");
                return CliApplication.UsageError;
            }

            try
            {
                if (server.Requested(parse))
                {
                    return await AuditCliSupport.PrintAdminGetAsync(parse, server, $"v1/identities/{Uri.EscapeDataString(identity)}/timeline", cancellationToken);
                }

                var (opened, problem) = AuditCliSupport.Open(parse.GetValue(store));
                if (opened is null)
                {
                    await error.WriteLineAsync("error: " + problem);
                    return 1;
                }

                AuditTimeline timeline;
                await using (opened)
                {
                    await using var session = await opened.BeginAsync(StoreIntent.Read, cancellationToken);
                    timeline = await AuditTimelineBuilder.BuildAsync(session, identity, cancellationToken);
                }

                if (parse.GetValue(json))
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(timeline, AuditCliSupport.Json));
                }
                else
                {
                    await WriteTextAsync(output, timeline);
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

    private static async Task WriteTextAsync(TextWriter output, AuditTimeline timeline)
    {
        static string T(DateTimeOffset time) => AuditCanonicalForm.FormatTime(time);
        await output.WriteLineAsync($"Timeline of {timeline.Identity}: {timeline.Events.Count} events{(timeline.Truncated ? " (truncated)" : string.Empty)}");
        await output.WriteLineAsync($"Credentials ({timeline.Credentials.Count}):");
        foreach (var c in timeline.Credentials)
        {
            await output.WriteLineAsync($"  {c.Jti} ({c.Kind}) issued {T(c.IssuedAt)} by {c.IssuedBy}{(c.TaskId is null ? string.Empty : " for task " + c.TaskId)}{(c.ParentJti is null ? string.Empty : " from " + c.ParentJti)}{(c.Chain is { Count: > 0 } ch ? " chain " + string.Join(" > ", ch) : string.Empty)}");
            foreach (var use in c.Uses)
            {
                await output.WriteLineAsync($"    {T(use.Time)} {use.Type} {use.Action} {use.Resource} {use.Decision}".TrimEnd());
            }

            await output.WriteLineAsync(c.RevokedAt is { } revoked
                ? $"    revoked {T(revoked)} by {c.RevokedBy}{(c.RevocationReason is null ? string.Empty : ": " + c.RevocationReason)}"
                : "    not revoked");
        }

        await output.WriteLineAsync($"Delegations ({timeline.Delegations.Count}):");
        foreach (var d in timeline.Delegations)
        {
            await output.WriteLineAsync($"  {T(d.Time)} {d.From} acted for {d.To}{(d.Chain is { Count: > 0 } ch ? " via " + string.Join(" > ", ch) : string.Empty)} (jti {d.Jti})");
        }

        await output.WriteLineAsync($"Decisions ({timeline.Decisions.Count}):");
        foreach (var d in timeline.Decisions)
        {
            await output.WriteLineAsync($"  {T(d.Time)} {d.Decision} {d.Action} on {d.Resource} (policy {d.PolicyVersion ?? "-"}){(d.Reason is null ? string.Empty : ": " + d.Reason)}");
        }
    }
}
