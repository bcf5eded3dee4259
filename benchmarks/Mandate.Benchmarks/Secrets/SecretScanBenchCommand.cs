using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Mandate.Core.Secrets;
using Mandate.Tests.Shared;

namespace Mandate.Benchmarks.Secrets;

/// <summary>
/// The secret scanner's benchmark tools (benchmarks/secrets/run.sh runs them beside secretlint):
/// <c>secrets-corpus DIR [--megabytes N] [--seed S]</c> writes the planted-secret corpus (<see cref="SecretCorpus"/>:
/// every detector's format-valid secret and every decoy kind, in realistic source files of 32 KB) and
/// <c>DIR.manifest.json</c> beside it (kind, file and line of each planted secret and decoy; never a value), and
/// <c>secrets-throughput DIR [--rounds N]</c> times the scanner in process on one thread over DIR's files, best of N
/// warmed rounds: the per-core throughput without process start or JIT.
/// </summary>
internal static class SecretScanBenchCommand
{
    public static int Corpus(string[] args, TextWriter output)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: secrets-corpus DIR [--megabytes N] [--seed S]");
            return 2;
        }

        var directory = Path.GetFullPath(args[0]);
        var megabytes = DocsSmoke.Size(Option(args, "--megabytes", 64), 1);
        var seed = Option(args, "--seed", 1);
        const int fileBytes = 32 * 1024;
        var files = Math.Max(SecretCorpus.PlantedKinds.Count, megabytes * 1024 * 1024 / fileBytes);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        // One secret and one decoy every 200 lines: dense next to real code, so the expressions' cost shows.
        var corpus = SecretCorpus.Write(directory, seed, files, fileBytes, every: 200);
        var manifest = new
        {
            seed,
            files,
            bytes = corpus.Bytes,
            planted = corpus.Planted.Select(p => new { kind = p.Kind, file = p.File, line = p.Line }),
            decoys = corpus.Decoys.Select(d => new { kind = d.Kind, file = d.File, line = d.Line }),
        };
        File.WriteAllText(directory + ".manifest.json", JsonSerializer.Serialize(manifest));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"corpus: {files} files, {corpus.Bytes / 1e6:F1} MB, {corpus.Planted.Count} planted secrets ({SecretCorpus.PlantedKinds.Count} kinds), {corpus.Decoys.Count} decoys ({SecretCorpus.DecoyKinds.Count} kinds), seed {seed}"));
        return 0;
    }

    public static int Throughput(string[] args, TextWriter output)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: secrets-throughput DIR [--rounds N]");
            return 2;
        }

        var rounds = DocsSmoke.Size(Option(args, "--rounds", 5), 1);
        var scanner = new SecretScanner(new SecretFingerprinter(RandomNumberGenerator.GetBytes(32)), new SecretScanOptions { Parallelism = 1 });

        // A warm-up round: the expressions are source-generated, but the JIT still compiles them on first use.
        var result = scanner.ScanTree(args[0]);
        // Wall time and the process's CPU time: on a busy machine the thread waits for a core, and CPU time is what
        // the scan itself cost.
        var best = double.MaxValue;
        var bestCpu = double.MaxValue;
        for (var i = 0; i < rounds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            result = scanner.ScanTree(args[0]);
            best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalSeconds);
            bestCpu = Math.Min(bestCpu, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
        }

        // Where the time goes: the prefilter alone (every anchor searched over the Latin-1 text, files in memory).
        var texts = Directory.EnumerateFiles(args[0], "*", SearchOption.AllDirectories).Select(f => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(f))).ToList();
        var prefilter = double.MaxValue;
        var anchors = 0;
        for (var i = 0; i < rounds; i++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            anchors = 0;
            foreach (var text in texts)
            {
                var span = text.AsSpan();
                var cursor = new SecretDetectors.AnchorCursor();
                int at;
                for (var position = 0; (at = cursor.Next(span, position)) >= 0; position = at + 1)
                {
                    anchors++;
                }
            }

            prefilter = Math.Min(prefilter, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
        }

        var megabytes = result.Bytes / 1e6;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"prefilter alone: {anchors} anchors, {prefilter:F3} s CPU = {megabytes / prefilter:F0} MB/s per core"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mandate in-process, one thread: {megabytes:F1} MB; best of {rounds}: {best:F3} s wall = {megabytes / best:F0} MB/s, {bestCpu:F3} s CPU = {megabytes / bestCpu:F0} MB/s per core; {result.Secrets.Count} secrets"));
        return 0;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
