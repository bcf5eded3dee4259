using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Mandate.Benchmarks;

/// <summary>
/// <c>MANDATE_DOCS_SMOKE=1</c> (set by the docs test, which runs every shell block of docs/benchmarks.md): each program
/// does a real but bounded run. BenchmarkDotNet runs a Dry job (one launch, one warm-up and one measured invocation, in
/// process) with only the <c>--filter</c> of the command line; the benchmarks whose set-up is heavy use
/// <see cref="Size"/> for tiny inputs; the commands cap their counts. The figures of such a run mean nothing.
/// </summary>
internal static class DocsSmoke
{
    public static bool On { get; } = Environment.GetEnvironmentVariable("MANDATE_DOCS_SMOKE") == "1";

    /// <summary>The full value, or the tiny one in a smoke run.</summary>
    public static T Size<T>(T full, T smoke) => On ? smoke : full;

    /// <summary>The Dry job in process; the build may be Debug (the test's own), so the optimisation check is off.</summary>
    public static IConfig Config() => ManualConfig.CreateEmpty()
        .AddColumnProvider(DefaultConfig.Instance.GetColumnProviders().ToArray())
        .AddLogger(DefaultConfig.Instance.GetLoggers().ToArray())
        .AddExporter(DefaultConfig.Instance.GetExporters().ToArray())
        .AddAnalyser(DefaultConfig.Instance.GetAnalysers().ToArray())
        .AddValidator(DefaultConfig.Instance.GetValidators().ToArray())
        .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("docs-smoke"))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableOptimizationsValidator);

    /// <summary>
    /// The BenchmarkDotNet arguments a smoke run keeps: <c>--filter</c> and its patterns. Options that shape the job
    /// (<c>--job</c>, <c>--iterationCount</c>, <c>--inProcess</c>…) would replace the Dry job, so they are dropped and
    /// named on <paramref name="error"/>.
    /// </summary>
    public static string[] BenchmarkArguments(string[] args, TextWriter error)
    {
        var kept = new List<string>();
        var dropped = new List<string>();
        var inFilter = false;
        foreach (var arg in args)
        {
            if (arg is "--filter" or "-f")
            {
                inFilter = true;
                kept.Add(arg);
            }
            else if (arg.StartsWith('-'))
            {
                inFilter = false;
                dropped.Add(arg);
            }
            else if (inFilter)
            {
                kept.Add(arg);
            }
            else
            {
                dropped.Add(arg);
            }
        }

        error.WriteLine($"docs smoke (MANDATE_DOCS_SMOKE=1): Dry job in process, tiny inputs{(dropped.Count > 0 ? "; ignored: " + string.Join(' ', dropped) : string.Empty)}");
        return [.. kept];
    }

    /// <summary>A count from the command line, capped in a smoke run (and said so once).</summary>
    public static int Cap(int requested, int smokeMaximum, string what, TextWriter error)
    {
        if (!On || requested <= smokeMaximum)
        {
            return requested;
        }

        error.WriteLine($"docs smoke (MANDATE_DOCS_SMOKE=1): {what} capped at {smokeMaximum} (asked {requested})");
        return smokeMaximum;
    }
}
