using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mandate.Core.Audit;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate audit verify</c>: the whole chain and its signed checkpoints, from a store or an export, or one event's inclusion proof.</summary>
internal static class AuditVerifyCommand
{
    public static Command Create()
    {
        var store = AuditCliSupport.StoreOption();
        var file = new Option<FileInfo?>("--file") { Description = "Verify an export (JSON Lines from 'mandate audit export') instead of a store.", HelpName = "EXPORT" };
        var key = new Option<FileInfo?>("--key") { Description = "Trust only the checkpoint keys in this JWK or JWK Set file (from GET /v1/audit/keys).", HelpName = "JWKFILE" };
        var proofFile = new Option<FileInfo?>("--proof") { Description = "Verify one event's inclusion proof (from 'mandate audit prove') instead of a whole chain.", HelpName = "PROOF" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("verify", "Verify the whole chain and its signed checkpoints (or one event's inclusion proof); exit 0 only when everything verifies.") { store, file, proofFile, key, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (new object?[] { parse.GetValue(store), parse.GetValue(file), parse.GetValue(proofFile) }.Count(v => v is not null) > 1)
            {
                await error.WriteLineAsync("error: give one of --store, --file and --proof.");
                return CliApplication.UsageError;
            }

            IReadOnlyList<AuditPublicKey>? pinned = null;
            if (parse.GetValue(key) is { } keyFile)
            {
                try
                {
                    pinned = AuditCliSupport.ReadKeys(keyFile);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    await error.WriteLineAsync($"error: --key: {keyFile.FullName}: {ex.Message}");
                    return 1;
                }
                catch (JsonException ex)
                {
                    await error.WriteLineAsync(JsonErrors.Describe(keyFile.FullName, ex) + ".");
                    return 1;
                }
                catch (FormatException ex)
                {
                    await error.WriteLineAsync($"{keyFile.FullName}: not a JWK or JWK Set: {ex.Message}.");
                    return 1;
                }
            }

            if (parse.GetValue(proofFile) is { } proofPath)
            {
                return await VerifyProofAsync(proofPath, pinned, parse.GetValue(json), output, error);
            }

            AuditVerificationResult result;
            string source;
            if (parse.GetValue(file) is { } exportFile)
            {
                source = exportFile.FullName;
                if (!exportFile.Exists)
                {
                    await error.WriteLineAsync($"error: --file: '{exportFile.FullName}' {(Directory.Exists(exportFile.FullName) ? "is a directory" : "does not exist")}.");
                    return 1;
                }

                try
                {
                    using var reader = Utf8LineReader.Open(exportFile.FullName, exportFile.FullName);
                    result = await AuditExport.VerifyAsync(reader, pinned, cancellationToken);
                }
                catch (InvalidDataException ex)
                {
                    await error.WriteLineAsync($"{ex.Message}: the file is corrupted.");
                    return 1;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    await error.WriteLineAsync($"error: --file: {exportFile.FullName}: {ex.Message}");
                    return 1;
                }
            }
            else
            {
                var (opened, problem) = AuditCliSupport.Open(parse.GetValue(store));
                if (opened is null)
                {
                    await error.WriteLineAsync("error: " + problem);
                    return 1;
                }

                source = parse.GetValue(store) ?? AuditCliSupport.DefaultStore;
                await using (opened)
                {
                    try
                    {
                        result = await AuditStoreVerifier.VerifyAsync(opened, pinned, cancellationToken);
                    }
                    catch (Exception ex) when (AuditCliSupport.Describe(ex) is { } described)
                    {
                        await error.WriteLineAsync("error: " + described);
                        return 1;
                    }
                }

                if (source.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
                {
                    source = "postgres:(connection string hidden)";
                }
            }

            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(result, AuditCliSupport.Json));
            }
            else if (result.Failure is { } failure)
            {
                await error.WriteLineAsync(failure is { Line: { } line, Column: { } column }
                    ? string.Create(CultureInfo.InvariantCulture, $"{source}:{line}:{column}: {failure.Reason}.")
                    : $"{source}: audit chain does NOT verify at {failure.Position}: {failure.Reason}");
                await error.WriteLineAsync($"  {result.Events} events verified before it.");
            }
            else
            {
                await output.WriteLineAsync(
                    $"{source}: verified {result.Events} events (last {result.LastSequence?.ToString(CultureInfo.InvariantCulture) ?? "-"}, head {result.HeadHash ?? "-"}), " +
                    $"{result.Checkpoints} signed checkpoints, {result.UnsignedEvents} events after the last checkpoint.");
                foreach (var note in result.Notes)
                {
                    await output.WriteLineAsync("  note: " + note);
                }
            }

            return result.Verified ? 0 : 1;
        });
        return command;
    }

    private static async Task<int> VerifyProofAsync(FileInfo proofFile, IReadOnlyList<AuditPublicKey>? pinned, bool json, TextWriter output, TextWriter error)
    {
        AuditInclusionProof proof;
        try
        {
            using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(proofFile.FullName));
            proof = AuditInclusionProof.Parse(document.RootElement);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: --proof: {proofFile.FullName}: {ex.Message}");
            return 1;
        }
        catch (JsonException ex)
        {
            await error.WriteLineAsync(JsonErrors.Describe(proofFile.FullName, ex) + ": the proof is corrupted or truncated.");
            return 1;
        }
        catch (FormatException ex)
        {
            await error.WriteLineAsync($"{proofFile.FullName}: not an inclusion proof: {ex.Message}.");
            return 1;
        }

        var result = AuditInclusionProofs.Verify(proof, pinned);
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(result, AuditCliSupport.Json));
        }
        else if (result.Verified)
        {
            var checkpoint = proof.Checkpoint;
            await output.WriteLineAsync(
                $"{proofFile.FullName}: event {proof.Sequence.ToString(CultureInfo.InvariantCulture)} is in the ledger: it leads to the root of checkpoint " +
                $"{checkpoint.FromSequence.ToString(CultureInfo.InvariantCulture)}..{checkpoint.ToSequence.ToString(CultureInfo.InvariantCulture)}, signed by key {checkpoint.KeyId} at {AuditCanonicalForm.FormatTime(checkpoint.Time)}.");
            foreach (var note in result.Notes)
            {
                await output.WriteLineAsync("  note: " + note);
            }
        }
        else
        {
            await error.WriteLineAsync($"{proofFile.FullName}: proof of event {proof.Sequence.ToString(CultureInfo.InvariantCulture)} does NOT verify: {result.Reason}");
        }

        return result.Verified ? 0 : 1;
    }
}
