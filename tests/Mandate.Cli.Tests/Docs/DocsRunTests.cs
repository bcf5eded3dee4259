using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Mandate.Cli.Tests.Docs;

/// <summary>
/// Every shell block (<c>```sh</c>, <c>```bash</c>, <c>```shell</c>) of README.md and docs/*.md runs, in order, in one
/// bash session per file (<c>set -euo pipefail</c>, so variables carry from block to block) against a fresh
/// <c>mandate serve --demo</c> on a free loopback port, in a temporary working copy (so <c>.mandate/admin.token</c> and
/// files such as <c>billing.key</c> are created there). The rules the documents follow are in docs/README.md.
/// </summary>
public sealed partial class DocsRunTests
{
    /// <summary>The one line the test does not run: it starts that server itself, on its own port, before the first block.</summary>
    public const string ServeLine = "./mandate serve --demo";

    // Bounded, with room for docs/benchmarks.md, whose blocks run every benchmark program's smoke run in turn (several
    // servers, traces, imports) and take minutes on a busy 2-core machine.
    private static readonly TimeSpan FileTimeout = TimeSpan.FromSeconds(360);

    /// <summary>
    /// Directories of the working copy made of links to the repository's entries rather than linked whole, so that a
    /// stand-in can replace one entry (<c>benchmarks/bench</c>).
    /// </summary>
    private static readonly string[] LinkedEntryByEntry = ["benchmarks"];

    /// <summary>
    /// Directories copied file by file: node resolves a linked module to its real path and would look for its packages
    /// there, while <c>npm ci</c> must install them in the temporary copy, not in the repository.
    /// </summary>
    private static readonly string[] Copied = ["benchmarks/compare"];

    public static TheoryData<string> Documents()
    {
        var root = RepositoryRoot.Combine();
        var files = new List<string> { "README.md" };
        files.AddRange(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Select(f => "docs/" + Path.GetFileName(f)).Order(StringComparer.Ordinal));
        return [.. files.Where(f => Blocks(File.ReadAllLines(Path.Combine(root, f))).Count > 0)];
    }

    [Fact]
    public void Blocks_ShouldBeFound_AndTheServeLineShouldBeInTheReadme()
    {
        var readme = Blocks(File.ReadAllLines(RepositoryRoot.Combine("README.md")));
        Assert.NotEmpty(readme);
        Assert.Contains(readme, b => b.Lines.Any(l => l.Text.Trim() == ServeLine));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task ShellBlocks_ShouldRunInOrder_AgainstTheDemo(string document)
    {
        var ct = TestContext.Current.CancellationToken;
        var root = RepositoryRoot.Combine();
        var blocks = Blocks(await File.ReadAllLinesAsync(Path.Combine(root, document), ct));
        var work = WorkingCopy(root);
        try
        {
            var port = FreePort();
            using var server = StartServer(work, port);
            await WaitForHealthAsync(server, port, ct);

            // The script: bash line N is document line map[N] (0 for the harness's own lines).
            var script = new List<(string Text, int DocumentLine)>
            {
                ("set -euo pipefail", 0),
                ("trap 'echo \"__DOCS_FAILED__ $LINENO $?\" >&2' ERR", 0),
            };
            foreach (var block in blocks)
            {
                script.Add(($"echo '__DOCS_BLOCK__ {block.Start}' >&2", 0));
                foreach (var (text, line) in block.Lines)
                {
                    script.Add((text.Trim() == ServeLine ? ": skipped by the docs test, which started the server itself" : text, line));
                }
            }

            var path = Path.Combine(work, ".docs-run.sh");
            await File.WriteAllLinesAsync(path, script.Select(s => s.Text), ct);
            var (exit, output, error) = await RunBashAsync(path, work, port, ct);
            if (exit != 0)
            {
                var failed = FailedLine().Match(error);
                var line = failed.Success && int.TryParse(failed.Groups[1].Value, CultureInfo.InvariantCulture, out var n) && n - 1 < script.Count ? script[n - 1].DocumentLine : 0;
                var block = LastBlock().Matches(error) is { Count: > 0 } started ? started[^1].Groups[1].Value : "?";
                Assert.Fail(
                    $"{document}:{(line > 0 ? line.ToString(CultureInfo.InvariantCulture) : block)}: the shell block starting at line {block} failed (exit {exit})" +
                    $"{(line > 0 ? ": " + script.First(s => s.DocumentLine == line).Text.Trim() : string.Empty)}\n--- stdout (end)\n{Tail(output)}\n--- stderr (end)\n{Tail(error)}\n--- server log (end)\n{Tail(server.Output())}");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by the stopped server; the temporary directory is cleaned by the OS.
            }
        }
    }

    /// <summary>The shell blocks of a Markdown document with the document line of every line.</summary>
    internal static List<(int Start, List<(string Text, int Line)> Lines)> Blocks(string[] lines)
    {
        var blocks = new List<(int, List<(string, int)>)>();
        List<(string, int)>? current = null;
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (current is null && trimmed.StartsWith("```", StringComparison.Ordinal) && trimmed[3..].Trim() is "sh" or "bash" or "shell")
            {
                current = [];
                start = i + 1;
            }
            else if (current is not null && trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                blocks.Add((start, current));
                current = null;
            }
            else
            {
                current?.Add((lines[i], i + 1));
            }
        }

        return blocks;
    }

    /// <summary>
    /// A directory with the repository's entries linked in, <c>./mandate</c> running the CLI built next to the tests and
    /// <c>benchmarks/bench</c> running the benchmark programs built with them.
    /// </summary>
    private static string WorkingCopy(string root)
    {
        var work = Path.Combine(Path.GetTempPath(), "mandate-docs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        Link(root, work, string.Empty);

        // The build the tests run from stands in for ./mandate's and benchmarks/bench's own (Release) builds, which
        // would take minutes. The benchmark programs are part of Mandate.slnx, built in the tests' configuration.
        Executable(Path.Combine(work, "mandate"), $"#!/usr/bin/env bash\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "mandate.dll")}' \"$@\"\n");
        var benchmarks = BuiltProgram("Mandate.Benchmarks");
        var loadDriver = BuiltProgram("Mandate.LoadDriver");
        Executable(
            Path.Combine(work, "benchmarks", "bench"),
            $"#!/usr/bin/env bash\nif [[ \"${{1:-}}\" == load ]]; then shift; exec dotnet '{loadDriver}' \"$@\"; fi\nexec dotnet '{benchmarks}' \"$@\"\n");
        return work;
    }

    private static void Link(string source, string target, string relative)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(source))
        {
            var name = Path.GetFileName(entry);
            var path = relative.Length == 0 ? name : relative + "/" + name;
            if (path is ".git" or ".mandate" or "artifacts" or "mandate" or "benchmarks/bench" || name is "node_modules" or "BenchmarkDotNet.Artifacts")
            {
                continue;
            }

            if (Copied.Contains(path, StringComparer.Ordinal))
            {
                Directory.CreateDirectory(Path.Combine(target, name));
                foreach (var file in Directory.EnumerateFiles(entry))
                {
                    File.Copy(file, Path.Combine(target, name, Path.GetFileName(file)));
                }
            }
            else if (LinkedEntryByEntry.Contains(path, StringComparer.Ordinal))
            {
                Directory.CreateDirectory(Path.Combine(target, name));
                Link(entry, Path.Combine(target, name), path);
            }
            else
            {
                File.CreateSymbolicLink(Path.Combine(target, name), entry);
            }
        }
    }

    /// <summary>The assembly of a program of the solution built in the tests' own configuration (artifacts/bin/NAME/CONFIG/).</summary>
    private static string BuiltProgram(string name)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var path = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", name, configuration, name + ".dll"));
        Assert.True(File.Exists(path), $"{path} is missing: build Mandate.slnx (it builds the benchmark programs the docs run) in the configuration of the tests.");
        return path;
    }

    private static void Executable(string path, string script)
    {
        File.WriteAllText(path, script);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static RunningServer StartServer(string work, int port)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "mandate.dll"), "serve", "--demo", "--urls", $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start mandate serve");
        var server = new RunningServer(process);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private static async Task WaitForHealthAsync(RunningServer server, int port, CancellationToken ct)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (server.Process.HasExited)
            {
                Assert.Fail("mandate serve --demo exited:\n" + server.Output());
            }

            try
            {
                // /healthz answers as soon as the server listens; requests are served once start-up is over,
                // which /readyz tells (any answer but "starting").
                using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"), ct);
                if (response.IsSuccessStatusCode || !(await response.Content.ReadAsStringAsync(ct)).Contains("\"starting\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // Slow first request.
            }

            await Task.Delay(100, ct);
        }

        Assert.Fail("mandate serve --demo did not finish starting (/readyz) within 60 s:\n" + server.Output());
    }

    private static async Task<(int Exit, string Output, string Error)> RunBashAsync(string script, string work, int port, CancellationToken ct)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.Environment["MANDATE_SERVER"] = $"http://127.0.0.1:{port}";
        start.Environment["MANDATE_DOCS_SMOKE"] = "1";
        start.Environment.Remove("MANDATE_TOKEN");
        start.Environment.Remove("MANDATE_SVID");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(FileTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(ct);
            return (124, await output, await error + $"\n(the document's blocks did not finish within {FileTimeout.TotalSeconds} s)");
        }

        return (process.ExitCode, await output, await error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Tail(string text) => text.Length > 4000 ? "…" + text[^4000..] : text;

    [GeneratedRegex(@"__DOCS_FAILED__ (\d+) (\d+)")]
    private static partial Regex FailedLine();

    [GeneratedRegex(@"__DOCS_BLOCK__ (\d+)")]
    private static partial Regex LastBlock();

    private sealed class RunningServer(Process process) : IDisposable
    {
        // Written by the process's reader threads while the test reads it: every access holds the lock.
        private readonly StringBuilder log = new();

        public Process Process { get; } = process;

        public void Append(string? line)
        {
            if (line is not null)
            {
                lock (log)
                {
                    log.AppendLine(line);
                }
            }
        }

        public string Output()
        {
            lock (log)
            {
                return log.ToString();
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }

            Process.Dispose();
        }
    }
}
