using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Mandate.Benchmarks;

/// <summary>
/// The default configuration: a short job (1 launch, 3 warm-up and 5 measured iterations) so the whole suite runs
/// in minutes on two cores, memory diagnostics on, and the median next to the mean. The job runs in process: on the
/// shared two-core machine BenchmarkDotNet's separate generated project took over its 120 s build timeout, and the
/// in-process toolchain runs the same runtime and JIT. Pass BenchmarkDotNet's own options (for example
/// <c>--job medium</c>) for longer, out-of-process runs.
/// </summary>
internal sealed class ShortRunConfig : ManualConfig
{
    public ShortRunConfig()
    {
        Add(DefaultConfig.Instance);
        AddJob(Job.ShortRun.WithIterationCount(5).WithToolchain(InProcessEmitToolchain.Instance).WithId("short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
        WithOptions(ConfigOptions.JoinSummary);
        // The generated benchmark project builds the whole solution graph; on two shared cores that can pass 2 minutes.
        WithBuildTimeout(TimeSpan.FromMinutes(10));
    }
}
