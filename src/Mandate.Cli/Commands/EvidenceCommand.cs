using System.CommandLine;
using System.Text.Json;
using Mandate.Cli.Grammar;
using Mandate.Core.Audit;
using Mandate.Core.Governance.Offboarding;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate evidence verify FILE [--key KEYS]</c> checks an offboarding evidence pack offline (the keys as
/// <c>/v1/audit/keys</c> serves them; without <c>--key</c> they are fetched from the server); <c>mandate evidence list</c>
/// lists offboardings and <c>mandate evidence show ID</c> fetches a pack again (<c>GET /v1/offboardings/{id}</c>).
/// </summary>
internal static class EvidenceCommand
{
    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "evidence",
        "Offboarding evidence packs: check one offline, or fetch one again.",
        Verify(globals),
        List(globals),
        Show(globals));

    private static Command List(GlobalOptions globals)
    {
        var command = new Command("list", "List offboardings (each has an evidence pack), newest first.");
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var body = await api.GetAsync("v1/offboardings", context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            context.Output.Table(
                ["ID", "OWNER", "AT", "BY"],
                body.GetProperty("offboardings").EnumerateArray().Select(o => new[] { CliOutput.Cell(o, "id"), CliOutput.Cell(o, "owner"), CliOutput.Cell(o, "created_at"), CliOutput.Cell(o, "created_by") }));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Verify(GlobalOptions globals)
    {
        var file = new Argument<FileInfo>("file") { Description = "The evidence pack (JSON), as 'mandate offboard --evidence' wrote it." };
        var key = new Option<FileInfo?>("--key") { Description = "Trust only the keys in this JWK Set file ('mandate audit keys --json', GET /v1/audit/keys); without it they are fetched from --server.", HelpName = "KEYS" };
        var command = new Command("verify", "Check an evidence pack offline: its signature, every inclusion proof and what they cite; exit 0 only when intact.") { file, key };
        CliAction.Set(command, globals, async context =>
        {
            var path = context.Value(file)!;
            string json;
            try
            {
                json = await File.ReadAllTextAsync(path.FullName, context.CancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw CliException.Failed($"{path.FullName}: {ex.Message}");
            }

            IReadOnlyList<AuditPublicKey> keys;
            if (context.Value(key) is { } keyFile)
            {
                keys = AuditCliSupport.ReadKeysOrFail(keyFile);
            }
            else
            {
                using var api = AdminApi.ConnectAnonymous(context);
                var answer = await api.GetAsync("v1/audit/keys", context.CancellationToken);
                keys = [.. answer.GetProperty("keys").EnumerateArray().Select(AuditPublicKey.FromJwk)];
                await context.Output.NoteAsync($"mandate: note: the keys were fetched from {api.Server}; pin them with --key for a check that does not trust that server.");
            }

            var result = EvidenceVerifier.Verify(json, keys);
            if (context.Json)
            {
                await context.Output.JsonAsync(new
                {
                    verified = result.Verified,
                    id = result.Id,
                    owner = result.Owner,
                    identities = result.Identities,
                    ledger_events = result.LedgerEvents,
                    key_id = result.KeyId,
                    problems = result.Problems,
                });
            }
            else if (result.Verified)
            {
                await context.Output.LineAsync(
                    $"{path.Name}: intact: offboarding {result.Id} of {result.Owner}, {result.Identities} identities, {result.LedgerEvents} ledger events proven against signed checkpoints, signed by {result.KeyId}.");
            }

            if (!result.Verified)
            {
                foreach (var problem in result.Problems)
                {
                    await context.Output.ErrorAsync($"{path.Name}: {problem}");
                }

                return ExitCodes.Failed;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "The offboarding's id (obd_…)." };
        var output = new Option<FileInfo?>("--output") { Description = "Write the pack to this file instead of printing it.", HelpName = "FILE" };
        var command = new Command("show", "Fetch an offboarding's signed evidence pack again.") { id, output };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var pack = await api.GetAsync("v1/offboardings/" + CommandArguments.Segment(context.Value(id)!), context.CancellationToken);
            if (context.Value(output) is { } file)
            {
                try
                {
                    await File.WriteAllTextAsync(file.FullName, pack.GetRawText() + "\n", context.CancellationToken);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw CliException.Failed($"--output: {file.FullName}: {ex.Message}");
                }

                if (context.Json)
                {
                    await context.Output.JsonAsync(new { id = context.Value(id), written = file.FullName });
                }
                else
                {
                    await context.Output.LineAsync($"evidence of {context.Value(id)} written to {file.Name}");
                }

                return ExitCodes.Success;
            }

            await context.Output.JsonAsync(pack);
            return ExitCodes.Success;
        });
        return command;
    }
}
