using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace Mandate.Core.Secrets;

/// <summary>
/// Every version of every file a git repository ever committed, each read once. <c>git log --all --raw</c> lists, per
/// commit (merges against each parent, root commits against nothing), the blobs it introduced and at which path; each
/// unique blob is then streamed once through one <c>git cat-file --batch</c> and scanned, and its detections are
/// placed at every (commit, path) that introduced it. A secret deleted in a later commit is still found: at the commit
/// that added it, with that commit's date. Only the history under the scanned directory is read, and paths are given
/// relative to it, as the working tree's are.
/// </summary>
internal sealed class GitHistory(string root, SecretScanOptions options, SecretFingerprinter fingerprinter)
{
    private const string NullBlob = "0000000000000000000000000000000000000000";

    public sealed record Outcome(long Commits, long Blobs, long Bytes, long Skipped);

    /// <summary>Whether <paramref name="directory"/> is inside a git work tree (git answers), and git's message when not.</summary>
    public static async Task<(bool Inside, string Message)> ProbeAsync(string directory, CancellationToken cancellationToken)
    {
        try
        {
            var (code, output, error) = await RunAsync(directory, ["rev-parse", "--is-inside-work-tree"], cancellationToken).ConfigureAwait(false);
            return (code == 0 && output.Trim() == "true", error.Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (false, "git could not be started: " + e.Message);
        }
    }

    public async Task<Outcome> ScanAsync(SecretMerge merge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(merge);
        var directory = File.Exists(root) ? Path.GetDirectoryName(Path.GetFullPath(root))! : Path.GetFullPath(root);
        var (_, prefixText, _) = await RunAsync(directory, ["rev-parse", "--show-prefix"], cancellationToken).ConfigureAwait(false);
        var prefix = prefixText.Trim();

        // blob id -> where it was introduced; blobs in first-seen order so the report is stable.
        var introduced = new Dictionary<string, List<(string Commit, DateTimeOffset Date, string Path)>>(StringComparer.Ordinal);
        var blobs = new List<string>();
        long commits = 0;
        using (var log = Start(directory, ["log", "--all", "-m", "--root", "--no-renames", "--raw", "--no-abbrev", "-z", "--format=%x01%H %cI", "--", "."]))
        {
            // Drained beside stdout so a chatty git cannot fill the pipe and stall both.
            var logErrors = log.StandardError.ReadToEndAsync(cancellationToken);
            string? commit = null;
            var date = default(DateTimeOffset);
            var expectPath = false;
            string? pendingBlob = null;
            foreach (var raw in Tokens(log.StandardOutput))
            {
                var token = raw.TrimStart('\n');
                if (expectPath)
                {
                    // The path of the raw line before; a deletion, a submodule or a symbolic link introduces no file.
                    expectPath = false;
                    if (pendingBlob is null)
                    {
                        continue;
                    }

                    var path = token.StartsWith(prefix, StringComparison.Ordinal) ? token[prefix.Length..] : token;
                    if (!introduced.TryGetValue(pendingBlob, out var places))
                    {
                        introduced[pendingBlob] = places = [];
                        blobs.Add(pendingBlob);
                    }

                    places.Add((commit!, date, path));
                    pendingBlob = null;
                }
                else if (token.StartsWith('\u0001'))
                {
                    var space = token.IndexOf(' ', StringComparison.Ordinal);
                    commit = token[1..space];
                    date = DateTimeOffset.Parse(token[(space + 1)..], CultureInfo.InvariantCulture);
                    commits++;
                }
                else if (token.StartsWith(':'))
                {
                    // ":old-mode new-mode old-blob new-blob status": a deleted file introduces nothing.
                    var fields = token.Split(' ');
                    var blob = fields.Length >= 5 ? fields[3] : NullBlob;
                    var mode = fields.Length >= 5 ? fields[1] : "000000";
                    pendingBlob = blob != NullBlob && mode.StartsWith("100", StringComparison.Ordinal) ? blob : null;
                    expectPath = true;
                }
            }

            await log.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var errors = await logErrors.ConfigureAwait(false);
            if (log.ExitCode != 0)
            {
                throw new InvalidOperationException("git log failed: " + errors.Trim());
            }
        }

        var results = new List<SecretHit>?[blobs.Count];
        long bytes = 0, skipped = 0, scanned = 0;
        var work = Channel.CreateBounded<(int Index, byte[] Buffer, int Length)>(new BoundedChannelOptions(Math.Max(2, options.Parallelism * 2)) { SingleWriter = true });
        var scanner = new SecretScanner(fingerprinter, options);
        var workers = Enumerable.Range(0, Math.Max(1, options.Parallelism)).Select(_ => Task.Run(async () =>
        {
            await foreach (var (index, buffer, length) in work.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    var hits = scanner.Scan(buffer.AsSpan(0, length));
                    if (hits is null)
                    {
                        Interlocked.Increment(ref skipped);
                    }
                    else
                    {
                        results[index] = hits;
                        Interlocked.Increment(ref scanned);
                        Interlocked.Add(ref bytes, length);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
                }
            }
        }, cancellationToken)).ToList();

        using (var batch = Start(directory, ["cat-file", "--batch"], redirectInput: true))
        {
            var batchErrors = batch.StandardError.ReadToEndAsync(cancellationToken);
            var feeder = Task.Run(async () =>
            {
                foreach (var blob in blobs)
                {
                    await batch.StandardInput.WriteAsync(blob + "\n").ConfigureAwait(false);
                }

                batch.StandardInput.Close();
            }, cancellationToken);
            var output = new BufferedStream(batch.StandardOutput.BaseStream, 1 << 16);
            await using var outputDisposal = output.ConfigureAwait(false);
            var header = new List<byte>(64);
            for (var i = 0; i < blobs.Count; i++)
            {
                header.Clear();
                int b;
                while ((b = output.ReadByte()) is not -1 and not '\n')
                {
                    header.Add((byte)b);
                }

                // "<id> blob <size>" (or "<id> missing"): the content and a newline follow a found blob.
                var fields = Encoding.ASCII.GetString([.. header]).Split(' ');
                if (fields.Length < 3)
                {
                    continue;
                }

                var size = long.Parse(fields[2], CultureInfo.InvariantCulture);
                if (size > options.MaxFileBytes || fields[1] != "blob")
                {
                    await SkipAsync(output, size + 1, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref skipped);
                    continue;
                }

                var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, size));
                await output.ReadExactlyAsync(buffer.AsMemory(0, (int)size), cancellationToken).ConfigureAwait(false);
                output.ReadByte();
                await work.Writer.WriteAsync((i, buffer, (int)size), cancellationToken).ConfigureAwait(false);
            }

            work.Writer.Complete();
            await feeder.ConfigureAwait(false);
            await batch.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await batchErrors.ConfigureAwait(false);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        for (var i = 0; i < blobs.Count; i++)
        {
            if (results[i] is not { Count: > 0 } hits)
            {
                continue;
            }

            foreach (var (commit, date, path) in introduced[blobs[i]])
            {
                merge.Add(hits, h => new SecretLocation(path, h.Line, commit, date));
            }
        }

        return new Outcome(commits, scanned, bytes, skipped);
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (count > 0)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                count -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static IEnumerable<string> Tokens(StreamReader reader)
    {
        var token = new StringBuilder();
        int c;
        while ((c = reader.Read()) != -1)
        {
            if (c == 0)
            {
                yield return token.ToString();
                token.Clear();
            }
            else
            {
                token.Append((char)c);
            }
        }

        if (token.Length > 0)
        {
            yield return token.ToString();
        }
    }

    private static Process Start(string directory, string[] arguments, bool redirectInput = false)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // -c core.quotepath=off is not needed with -z; the pager and any prompt are.
        info.Environment["GIT_PAGER"] = "cat";
        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        return Process.Start(info) ?? throw new InvalidOperationException("git could not be started");
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string directory, string[] arguments, CancellationToken cancellationToken)
    {
        using var process = Start(directory, arguments);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }
}
