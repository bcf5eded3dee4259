using System.CommandLine;
using System.Globalization;
using Mandate.Cli.Grammar;
using Mandate.Core.Audit;
using Mandate.Server;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate audit export</c>: the ledger as verifiable JSON Lines (with checkpoints and keys) or OCSF-style events,
/// from the server (<c>GET /v1/audit/export</c>) or offline from <c>--store</c>. A file is written beside
/// <c>--output</c> and renamed over it only once complete, so a failed export leaves a previous one as it was.
/// </summary>
internal static class AuditExportCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var store = AuditCliSupport.StoreOption();
        var format = new Option<string>("--format") { Description = "jsonl (verifiable, with checkpoints and keys) or ocsf (OCSF-style events for a SIEM).", HelpName = "FORMAT", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "ocsf");
        var outputFile = new Option<FileInfo?>("--output") { Description = "Write to FILE instead of standard output (with --json, a summary is printed).", HelpName = "FILE" };
        var from = new Option<long>("--from") { Description = "First sequence number.", HelpName = "SEQ", DefaultValueFactory = _ => 1 };
        var to = new Option<long?>("--to") { Description = "Last sequence number (default: the head).", HelpName = "SEQ" };
        var command = new Command("export", "Export a range of the ledger as JSON Lines (server, or offline with --store).") { store, format, outputFile, from, to };

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
        CliAction.Set(command, globals, async context =>
        {
            var target = context.Value(outputFile);
            if (target is not null && OutputProblem(target) is { } outputProblem)
            {
                throw CliException.Failed("--output: " + outputProblem);
            }

            var first = context.Value(from);
            var last = context.Value(to) ?? long.MaxValue;
            var kind = context.Value(format)!;

            // Without --output the export goes to standard output as it is produced; with it, to a file beside the target.
            var temporary = target is null ? null : Path.Combine(target.DirectoryName!, $".{target.Name}.{Guid.NewGuid():N}.tmp");
            try
            {
                long lines;
                await using (var destination = temporary is null ? new LineCountingStream(Stream.Null, context.Output.Out) : new LineCountingStream(new FileStream(temporary, FileMode.CreateNew, FileAccess.Write), null))
                {
                    lines = await context.Output.ProgressAsync("exporting", null, "lines", async report =>
                    {
                        destination.Progress = report;
                        if (context.Value(store) is { } location)
                        {
                            await AuditCliSupport.WithStoreAsync(location, opened => kind == "ocsf"
                                ? AuditExport.WriteOcsfAsync(opened, destination, first, last, MandateServer.Version, context.CancellationToken)
                                : AuditExport.WriteJsonLinesAsync(opened, destination, first, last, TimeProvider.System, context.CancellationToken));
                        }
                        else
                        {
                            using var api = await context.ConnectAsync(timeout: Timeout.InfiniteTimeSpan);
                            var query = CommandArguments.Query(("from", first.ToString(CultureInfo.InvariantCulture)), ("to", last == long.MaxValue ? null : last.ToString(CultureInfo.InvariantCulture)), ("format", kind));
                            using var response = await api.GetStreamAsync("v1/audit/export" + query, context.CancellationToken);
                            await using var body = await response.Content.ReadAsStreamAsync(context.CancellationToken);
                            await body.CopyToAsync(destination, context.CancellationToken);
                        }

                        await destination.FlushAsync(context.CancellationToken);
                        return destination.Lines;
                    });
                }

                if (target is not null)
                {
                    File.Move(temporary!, target.FullName, overwrite: true);
                    if (context.Json)
                    {
                        await context.Output.JsonAsync(new { output = target.FullName, format = kind, lines });
                    }
                    else
                    {
                        await context.Output.NoteAsync($"exported {lines} lines to {target.FullName}");
                    }
                }

                return ExitCodes.Success;
            }
            catch (Exception ex) when (target is not null && ex is IOException or UnauthorizedAccessException)
            {
                throw CliException.Failed($"--output: cannot write '{target.FullName}': {ex.Message}");
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
