using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate identity import FILE --format json|csv|aws-credential-report|k8s-serviceaccounts</c>: uploads the file to
/// <c>POST /v1/identities/import</c> (a progress bar on a terminal), prints refused rows as <c>FILE:line: reason</c>, and
/// with <c>--dry-run</c> the diff the import would apply. Exit 1 when any row was refused (the others are imported).
/// </summary>
internal static class IdentityImportCommand
{
    private static readonly string[] Formats = ["json", "csv", "aws-credential-report", "k8s-serviceaccounts"];

    public static Command Create(GlobalOptions globals)
    {
        var file = new Argument<FileInfo>("file") { Description = "The inventory file." };
        var format = new Option<string>("--format") { Description = "json, csv, aws-credential-report or k8s-serviceaccounts.", Required = true, HelpName = "FORMAT" };
        format.AcceptOnlyFromAmong(Formats);
        var owner = new Option<string?>("--owner") { Description = "Owner of the rows that name none.", HelpName = "OWNER" };
        var annotation = new Option<string?>("--owner-annotation") { Description = "Kubernetes annotation (then label) naming the owner (default mandate.io/owner).", HelpName = "KEY" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be added and changed; write nothing." };
        var command = new Command("import", "Import identities from where they already live (AWS IAM credential report, Kubernetes service accounts, Mandate JSON/CSV).") { file, format, owner, annotation, dryRun };
        CliAction.Set(command, globals, async context =>
        {
            var path = context.Value(file)!;
            if (!path.Exists)
            {
                throw CliException.Usage($"{path.FullName}: no such file.");
            }

            var query = CommandArguments.Query(
                ("format", context.Value(format)),
                ("dry_run", context.Value(dryRun) ? "true" : null),
                ("owner", context.Value(owner)),
                ("owner_annotation", context.Value(annotation)),
                ("file_name", path.Name));
            using var api = await context.ConnectAsync(timeout: TimeSpan.FromMinutes(15));
            var total = path.Length;
            var body = await context.Output.ProgressAsync("importing " + path.Name, total, "bytes", async report =>
            {
                var stream = path.OpenRead();
                await using var streamDisposal = stream;
                using var content = new StreamContent(new ProgressReadStream(stream, report));
                content.Headers.ContentType = new MediaTypeHeaderValue(context.Value(format) is "json" or "k8s-serviceaccounts" ? "application/json" : "text/csv");
                content.Headers.ContentLength = total;
                return await api.SendAsync(HttpMethod.Post, "v1/identities/import" + query, content, context.CancellationToken);
            });

            var errors = body.GetProperty("errors").EnumerateArray().ToList();
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
            }
            else
            {
                foreach (var change in body.GetProperty("changes").EnumerateArray())
                {
                    var fields = change.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).ToList();
                    var mark = change.GetProperty("outcome").GetString() == "added" ? "+" : "~";
                    await context.Output.LineAsync($"{mark} {change.GetProperty("source").GetString()} {change.GetProperty("external_id").GetString()}{(fields.Count > 0 ? ": " + string.Join(", ", fields) : string.Empty)}");
                }

                var n = (string name) => body.GetProperty(name).GetInt32().ToString(CultureInfo.InvariantCulture);
                var dry = body.GetProperty("dry_run").GetBoolean();
                await context.Output.LineAsync(
                    $"{(dry ? "dry run of " : "imported ")}{path.Name}: {n("added")} added, {n("changed")} changed, {n("unchanged")} unchanged, "
                    + $"{n("skipped_humans")} human(s) skipped, {errors.Count.ToString(CultureInfo.InvariantCulture)} row(s) refused{(dry ? " (nothing written)" : string.Empty)}");
            }

            foreach (var error in errors)
            {
                await context.Output.Error.WriteLineAsync($"{path.FullName}:{error.GetProperty("line").GetInt64().ToString(CultureInfo.InvariantCulture)}: {error.GetProperty("reason").GetString()}");
            }

            return errors.Count == 0 ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }

    /// <summary>Reports how many bytes of the file have been read (uploaded).</summary>
    private sealed class ProgressReadStream(Stream inner, Action<long> report) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            report(_read);
            return read;
        }
    }
}
