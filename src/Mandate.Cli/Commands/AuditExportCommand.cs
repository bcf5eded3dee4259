using System.CommandLine;
using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Server;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate audit export</c>: the ledger as verifiable JSON Lines (with checkpoints and keys) or OCSF-style events.</summary>
internal static class AuditExportCommand
{
    public static Command Create()
    {
        var store = AuditCliSupport.StoreOption();
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

}
