using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mandate.Cli.Grammar;
using Mandate.Core.Audit;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate audit verify</c>: by default the server verifies its whole chain and signed checkpoints
/// (<c>GET /v1/audit/verify</c>); <c>--store</c> verifies a database here, <c>--file</c> an export, <c>--proof</c> one
/// event's inclusion proof, each optionally trusting only the keys of <c>--key</c>. Exit 0 only when everything verifies.
/// </summary>
internal static class AuditVerifyCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var store = AuditCliSupport.StoreOption();
        var file = new Option<FileInfo?>("--file") { Description = "Verify an export (JSON Lines from 'mandate audit export') here instead.", HelpName = "EXPORT" };
        var key = new Option<FileInfo?>("--key") { Description = "Trust only the checkpoint keys in this JWK or JWK Set file ('mandate audit keys --json'); with --store, --file or --proof.", HelpName = "JWKFILE" };
        var proofFile = new Option<FileInfo?>("--proof") { Description = "Verify one event's inclusion proof (from 'mandate audit prove') here instead.", HelpName = "PROOF" };
        var command = new Command("verify", "Verify the whole chain and its signed checkpoints (server, or offline: --store, --file, --proof); exit 0 only when everything verifies.") { store, file, proofFile, key };
        CliAction.Set(command, globals, async context =>
        {
            var sources = new object?[] { context.Value(store), context.Value(file), context.Value(proofFile) }.Count(v => v is not null);
            if (sources > 1)
            {
                throw CliException.Usage("give one of --store, --file and --proof.");
            }

            if (sources == 0)
            {
                if (context.Value(key) is not null)
                {
                    throw CliException.Usage("--key pins keys for an offline check: use it with --store, --file or --proof (the server verifies with its own keys).");
                }

                return await VerifyOnServerAsync(context);
            }

            var pinned = context.Value(key) is { } keyFile ? AuditCliSupport.ReadKeysOrFail(keyFile) : null;
            if (context.Value(proofFile) is { } proofPath)
            {
                return await VerifyProofAsync(context, proofPath, pinned);
            }

            AuditVerificationResult result;
            string source;
            if (context.Value(file) is { } exportFile)
            {
                source = exportFile.FullName;
                if (!exportFile.Exists)
                {
                    throw CliException.Failed($"--file: '{exportFile.FullName}' {(Directory.Exists(exportFile.FullName) ? "is a directory" : "does not exist")}.");
                }

                try
                {
                    using var reader = Utf8LineReader.Open(exportFile.FullName, exportFile.FullName);
                    result = await context.Output.ProgressAsync("verifying the export", reader.Length, "bytes", report =>
                    {
                        reader.Progress = report;
                        return AuditExport.VerifyAsync(reader, pinned, context.CancellationToken);
                    });
                }
                catch (InvalidDataException ex)
                {
                    throw CliException.Failed($"{ex.Message}: the file is corrupted.");
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw CliException.Failed($"--file: {exportFile.FullName}: {ex.Message}");
                }
            }
            else
            {
                var location = context.Value(store)!;
                source = AuditCliSupport.Shown(location);
                result = await AuditCliSupport.WithStoreAsync(location, async opened =>
                {
                    var head = await AuditStoreVerifier.HeadSequenceAsync(opened, context.CancellationToken);
                    return await context.Output.ProgressAsync("verifying the store", head, "events", report =>
                        AuditStoreVerifier.VerifyAsync(opened, pinned, context.CancellationToken, report));
                });
            }

            if (context.Json)
            {
                await context.Output.JsonAsync(View(result));
            }
            else if (result.Failure is { } failure)
            {
                await context.Output.ErrorAsync(failure is { Line: { } line, Column: { } column }
                    ? string.Create(CultureInfo.InvariantCulture, $"{source}:{line}:{column}: {failure.Reason}.")
                    : $"{source}: audit chain does NOT verify at {failure.Position}: {failure.Reason}");
                await context.Output.Error.WriteLineAsync($"  {result.Events} events verified before it.");
            }
            else
            {
                await PrintVerifiedAsync(context, source, result.Events, result.LastSequence, result.HeadHash, result.Checkpoints, result.UnsignedEvents, result.Notes);
            }

            return result.Verified ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }

    /// <summary>The result in the shape of <c>GET /v1/audit/verify</c>, so offline and server answers read the same.</summary>
    public static object View(AuditVerificationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new
        {
            status = result.Verified ? "verified" : "broken",
            verified = result.Verified,
            events = result.Events,
            checkpoints = result.Checkpoints,
            last_seq = result.LastSequence,
            head_hash = result.HeadHash,
            unsigned_events = result.UnsignedEvents,
            failure = result.Failure is { } f ? new { position = f.Position, seq = f.Sequence, reason = f.Reason, line = f.Line, column = f.Column } : null,
            notes = result.Notes,
            key_ids = result.KeyIds,
        };
    }

    private static async Task<int> VerifyOnServerAsync(CliContext context)
    {
        using var api = await context.ConnectAsync(timeout: TimeSpan.FromMinutes(30));
        var answer = await context.Output.ProgressAsync("the server is verifying its ledger", null, "s", _ => api.GetAsync("v1/audit/verify", context.CancellationToken));
        var verified = answer.GetProperty("verified").GetBoolean();
        if (context.Json)
        {
            await context.Output.JsonAsync(answer);
        }
        else if (!verified)
        {
            var failure = answer.GetProperty("failure");
            await context.Output.ErrorAsync($"{api.Server}: audit chain does NOT verify at {CliOutput.Cell(failure, "position")}: {CliOutput.Cell(failure, "reason")}");
            await context.Output.Error.WriteLineAsync($"  {CliOutput.Cell(answer, "events")} events verified before it.");
        }
        else
        {
            await PrintVerifiedAsync(
                context,
                api.Server.ToString(),
                answer.GetProperty("events").GetInt64(),
                answer.TryGetProperty("last_seq", out var last) && last.ValueKind == JsonValueKind.Number ? last.GetInt64() : null,
                answer.TryGetProperty("head_hash", out var head) ? head.GetString() : null,
                answer.GetProperty("checkpoints").GetInt64(),
                answer.GetProperty("unsigned_events").GetInt64(),
                answer.TryGetProperty("notes", out var notes) ? notes.EnumerateArray().Select(n => n.GetString()!).ToList() : []);
        }

        return verified ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static async Task PrintVerifiedAsync(CliContext context, string source, long events, long? last, string? head, long checkpoints, long unsigned, IReadOnlyList<string> notes)
    {
        await context.Output.LineAsync(
            $"{source}: verified {events} events (last {last?.ToString(CultureInfo.InvariantCulture) ?? "-"}, head {head ?? "-"}), " +
            $"{checkpoints} signed checkpoints, {unsigned} events after the last checkpoint.");
        foreach (var note in notes)
        {
            await context.Output.LineAsync("  note: " + note);
        }
    }

    private static async Task<int> VerifyProofAsync(CliContext context, FileInfo proofFile, IReadOnlyList<AuditPublicKey>? pinned)
    {
        AuditInclusionProof proof;
        try
        {
            using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(proofFile.FullName, context.CancellationToken));
            proof = AuditInclusionProof.Parse(document.RootElement);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Failed($"--proof: {proofFile.FullName}: {ex.Message}");
        }
        catch (JsonException ex)
        {
            throw CliException.Failed(JsonErrors.Describe(proofFile.FullName, ex) + ": the proof is corrupted or truncated.");
        }
        catch (FormatException ex)
        {
            throw CliException.Failed($"{proofFile.FullName}: not an inclusion proof: {ex.Message}.");
        }

        var result = AuditInclusionProofs.Verify(proof, pinned);
        if (context.Json)
        {
            await context.Output.JsonAsync(result);
        }
        else if (result.Verified)
        {
            var checkpoint = proof.Checkpoint;
            await context.Output.LineAsync(
                $"{proofFile.FullName}: event {proof.Sequence.ToString(CultureInfo.InvariantCulture)} is in the ledger: it leads to the root of checkpoint " +
                $"{checkpoint.FromSequence.ToString(CultureInfo.InvariantCulture)}..{checkpoint.ToSequence.ToString(CultureInfo.InvariantCulture)}, signed by key {checkpoint.KeyId} at {AuditCanonicalForm.FormatTime(checkpoint.Time)}.");
            foreach (var note in result.Notes)
            {
                await context.Output.LineAsync("  note: " + note);
            }
        }
        else
        {
            await context.Output.ErrorAsync($"{proofFile.FullName}: proof of event {proof.Sequence.ToString(CultureInfo.InvariantCulture)} does NOT verify: {result.Reason}");
        }

        return result.Verified ? ExitCodes.Success : ExitCodes.Failed;
    }
}
