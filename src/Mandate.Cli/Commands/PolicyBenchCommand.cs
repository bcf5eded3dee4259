using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mandate.Cli.Grammar;
using Mandate.Cedar;
using Mandate.Cedar.Conformance;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate policy bench --corpus DIR [--iterations N] [--json]</c>: time the authorization of every request of a
/// corpus. Policies, schemas, entities and requests are loaded first, outside the timing; each decision is timed on its
/// own. Prints median, p99 and mean per decision in microseconds; --json gives
/// <c>{"decisions":N,"median_us":x,"p99_us":x,"mean_us":x}</c>.
/// </summary>
internal static class PolicyBenchCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var corpus = new Option<DirectoryInfo>("--corpus") { Description = "The corpus folder (cases are folders holding tests.json).", HelpName = "DIR", Required = true };
        var iterations = new Option<int>("--iterations") { Description = "Times each request is decided (default 10).", HelpName = "N", DefaultValueFactory = _ => 10 };
        var command = new Command("bench", "Time authorization decisions over a Cedar corpus (loading excluded).") { corpus, iterations };
        CliAction.Set(command, globals, async cli =>
        {
            var parse = cli.Parse;
            var cancellationToken = cli.CancellationToken;
            var output = cli.Output.Out;
            var error = cli.Output.Error;
            var directory = parse.GetValue(corpus)!;
            var rounds = parse.GetValue(iterations);
            if (!directory.Exists)
            {
                throw CliException.Usage($"--corpus: the directory '{directory.FullName}' does not exist.");
            }

            if (rounds < 1)
            {
                throw CliException.Usage("--iterations: must be at least 1.");
            }

            var work = new List<(Request Request, PolicySet Policies, Entities Entities)>();
            foreach (var id in CorpusRunner.FindCases(directory.FullName))
            {
                try
                {
                    var loaded = CorpusRunner.Load(directory.FullName, id);
                    work.AddRange(loaded.Requests.Select(r => (r.Request, loaded.Policies, loaded.Entities)));
                }
                catch (Exception ex) when (ex is CedarException or IOException or JsonException)
                {
                    throw CliException.Failed($"{id}: {ex.Message}");
                }
            }

            if (work.Count == 0)
            {
                throw CliException.Failed("the corpus has no requests.");
            }

            var samples = await Task.Run(() => Measure(work, rounds, cancellationToken), cancellationToken);
            Array.Sort(samples);
            var median = Percentile(samples, 0.5);
            var p99 = Percentile(samples, 0.99);
            var mean = samples.Average();
            if (cli.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new { decisions = samples.Length, median_us = Math.Round(median, 3), p99_us = Math.Round(p99, 3), mean_us = Math.Round(mean, 3) }));
            }
            else
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{samples.Length} decisions: median {median:F3} µs, p99 {p99:F3} µs, mean {mean:F3} µs"));
            }

            return 0;
        });
        return command;
    }

    private static double[] Measure(List<(Request Request, PolicySet Policies, Entities Entities)> work, int rounds, CancellationToken cancellationToken)
    {
        // Warm up so the JIT has compiled the hot paths before anything is timed.
        foreach (var (request, policies, entities) in work)
        {
            Authorizer.IsAuthorized(request, policies, entities);
        }

        var samples = new double[work.Count * rounds];
        var index = 0;
        var ticksToMicroseconds = 1_000_000.0 / Stopwatch.Frequency;
        for (var round = 0; round < rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var (request, policies, entities) in work)
            {
                var start = Stopwatch.GetTimestamp();
                Authorizer.IsAuthorized(request, policies, entities);
                samples[index++] = (Stopwatch.GetTimestamp() - start) * ticksToMicroseconds;
            }
        }

        return samples;
    }

    private static double Percentile(double[] sorted, double fraction)
    {
        var rank = (int)Math.Ceiling(fraction * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
