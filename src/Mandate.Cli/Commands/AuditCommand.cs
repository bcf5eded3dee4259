using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mandate.Core;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate audit verify|export|query|prove|timeline</c>: the tamper-evident ledger, offline from a store or a file.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "Verify, export and query the tamper-evident audit ledger.");
        command.Subcommands.Add(Verify());
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Query());
        command.Subcommands.Add(AuditProveCommand.Create());
        command.Subcommands.Add(AuditTimelineCommand.Create());
        return command;
    }

    private static Option<string?> StoreOption() =>
        new("--store") { Description = "The store: " + StoreLocation.AcceptedForms + ". Default: " + AuditCliSupport.DefaultStore + ".", HelpName = "STORE" };

    private static Command Verify()
    {
        var store = StoreOption();
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

    private static Command Export()
    {
        var store = StoreOption();
        var format = new Option<string>("--format") { Description = "jsonl (verifiable, with checkpoints and keys) or ocsf (OCSF-style events for a SIEM).", HelpName = "FORMAT", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "ocsf");
        var outputFile = new Option<FileInfo?>("--output") { Description = "Write to FILE instead of standard output.", HelpName = "FILE" };
        var from = new Option<long>("--from") { Description = "First sequence number.", HelpName = "SEQ", DefaultValueFactory = _ => 1 };
        var to = new Option<long?>("--to") { Description = "Last sequence number (default: the head).", HelpName = "SEQ" };
        var command = new Command("export", "Export a range of the ledger as JSON Lines.") { store, format, outputFile, from, to };

        // An impossible range would export nothing and verify "clean": refuse it instead.
        command.Validators.Add(result =>
        {
            // Only what was typed: inside a validator an omitted option does not have its default yet.
            var first = result.GetResult(from) is { Implicit: false } typed ? typed.GetValueOrDefault<long>() : 1;
            if (first < 1)
            {
                result.AddError($"--from: sequence numbers start at 1 (got {first.ToString(CultureInfo.InvariantCulture)}).");
            }
            else if (result.GetValue(to) is { } last && last < first)
            {
                result.AddError($"--to: {last.ToString(CultureInfo.InvariantCulture)} is before --from {first.ToString(CultureInfo.InvariantCulture)}.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var target = parse.GetValue(outputFile);
            if (target is not null && OutputProblem(target) is { } outputProblem)
            {
                await error.WriteLineAsync($"error: --output: {outputProblem}");
                return 1;
            }

            var (opened, problem) = AuditCliSupport.Open(parse.GetValue(store));
            if (opened is null)
            {
                await error.WriteLineAsync("error: " + problem);
                return 1;
            }

            // A file is written beside the target and renamed over it only once complete, so that a failed export
            // leaves a previous one as it was.
            var temporary = target is null ? null : Path.Combine(target.DirectoryName!, $".{target.Name}.{Guid.NewGuid():N}.tmp");
            try
            {
                await using (opened)
                {
                    long count;
                    await using (Stream destination = temporary is null ? new MemoryStream() : new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                    {
                        count = parse.GetValue(format) == "ocsf"
                            ? await AuditExport.WriteOcsfAsync(opened, destination, parse.GetValue(from), parse.GetValue(to) ?? long.MaxValue, MandateServer.Version, cancellationToken)
                            : await AuditExport.WriteJsonLinesAsync(opened, destination, parse.GetValue(from), parse.GetValue(to) ?? long.MaxValue, TimeProvider.System, cancellationToken);
                        if (destination is MemoryStream memory)
                        {
                            await parse.InvocationConfiguration.Output.WriteAsync(System.Text.Encoding.UTF8.GetString(memory.ToArray()));
                            return 0;
                        }
                    }

                    File.Move(temporary!, target!.FullName, overwrite: true);
                    await error.WriteLineAsync($"exported {count} events to {target.FullName}");
                    return 0;
                }
            }
            catch (Exception ex) when (AuditCliSupport.Describe(ex) is { } described)
            {
                await error.WriteLineAsync("error: " + described);
                return 1;
            }
            catch (Exception ex) when (target is not null && ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"error: --output: cannot write '{target.FullName}': {ex.Message}");
                return 1;
            }
            finally
            {
                if (temporary is not null)
                {
                    File.Delete(temporary);
                }
            }
        });
        return command;
    }

    /// <summary>Why <paramref name="target"/> cannot be written, checked before the export starts; null when it looks writable.</summary>
    private static string? OutputProblem(FileInfo target)
    {
        if (Directory.Exists(target.FullName))
        {
            return $"'{target.FullName}' is a directory.";
        }

        return Directory.Exists(target.DirectoryName) ? null : $"the directory '{target.DirectoryName}' does not exist.";
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

    private static Command Query()
    {
        var store = StoreOption();
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
}
