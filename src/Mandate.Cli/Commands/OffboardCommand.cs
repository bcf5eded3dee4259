using System.CommandLine;
using System.Text.Json;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate offboard OWNER --reason TEXT [--transfer-to NEW_OWNER [--reviewer OPERATOR]] [--evidence FILE]</c>:
/// <c>POST /v1/offboardings</c>. The answer is the signed evidence pack; <c>--evidence</c> writes it to a file for
/// <c>mandate evidence verify</c>.
/// </summary>
internal static class OffboardCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var owner = new Argument<string>("owner") { Description = "The departing owner (a person or team, as identities name it)." };
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the ledger and the evidence pack).", Required = true, HelpName = "TEXT" };
        var transferTo = new Option<string?>("--transfer-to") { Description = "Give the owner's registered identities to this owner (and open a review for them) instead of offboarding them.", HelpName = "NEW_OWNER" };
        var reviewer = new Option<string?>("--reviewer") { Description = "With --transfer-to: the operator who reviews the transferred identities (default: any reviewer but you).", HelpName = "OPERATOR" };
        var evidence = new Option<FileInfo?>("--evidence") { Description = "Write the signed evidence pack to this file.", HelpName = "FILE" };
        var command = new Command("offboard", "Offboard an owner: transfer or offboard every identity it owns, revoke their credentials, and sign the evidence (security or admin).")
        {
            owner, reason, transferTo, reviewer, evidence,
        };
        CliAction.Set(command, globals, async context =>
        {
            if (context.Value(reviewer) is not null && context.Value(transferTo) is null)
            {
                throw CliException.Usage("--reviewer: only with --transfer-to.");
            }

            using var api = await context.ConnectAsync(timeout: TimeSpan.FromMinutes(5));
            var pack = await api.PostAsync(
                "v1/offboardings",
                new Dictionary<string, object?>
                {
                    ["owner"] = context.Value(owner),
                    ["reason"] = context.Value(reason),
                    ["transfer_to"] = context.Value(transferTo),
                    ["reviewer"] = context.Value(reviewer),
                },
                context.CancellationToken);
            if (context.Value(evidence) is { } file)
            {
                try
                {
                    await File.WriteAllTextAsync(file.FullName, pack.GetRawText() + "\n", context.CancellationToken);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw CliException.Failed($"--evidence: {file.FullName}: {ex.Message} (the offboarding is done: 'mandate evidence show {pack.GetProperty("id").GetString()}' fetches the pack again).");
                }
            }

            if (context.Json)
            {
                await context.Output.JsonAsync(pack);
                return ExitCodes.Success;
            }

            context.Output.Table(
                ["IDENTITY", "DISPOSITION", "STATUS", "OWNER", "CREDENTIALS REVOKED"],
                pack.GetProperty("identities").EnumerateArray().Select(i => new[]
                {
                    CliOutput.Cell(i, "id"), CliOutput.Cell(i, "disposition"), CliOutput.Cell(i, "status"), CliOutput.Cell(i, "owner"),
                    i.GetProperty("credentials").EnumerateArray().Count(c => c.GetProperty("state").GetString() == "revoked").ToString(System.Globalization.CultureInfo.InvariantCulture),
                }));
            var external = pack.GetProperty("external_identities").GetArrayLength();
            await context.Output.LineAsync(
                $"{CliOutput.Cell(pack, "owner")} offboarded ({CliOutput.Cell(pack, "id")}); {pack.GetProperty("ledger").GetArrayLength()} ledger events proven"
                + (external > 0 ? $"; {external} imported identit{(external == 1 ? "y" : "ies")} to disable at the source" : string.Empty)
                + (pack.TryGetProperty("review", out var review) && review.ValueKind == JsonValueKind.String ? $"; review {review.GetString()} opened for the new owner" : string.Empty)
                + (context.Value(evidence) is { } written ? $"; evidence in {written.Name}" : string.Empty));
            return ExitCodes.Success;
        });
        return command;
    }
}
