using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Mandate.Benchmarks;

/// <summary>
/// The default configuration: a short job (1 launch, 3 warm-up and 5 measured iterations) so the whole suite runs
/// in minutes on two cores, memory diagnostics on, and the median next to the mean. Pass BenchmarkDotNet's own
/// options (for example <c>--job medium</c>) for longer, tighter runs.
/// </summary>
internal sealed class ShortRunConfig : ManualConfig
{
    public ShortRunConfig()
    {
        Add(DefaultConfig.Instance);
        AddJob(Job.ShortRun.WithIterationCount(5).WithId("short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
        WithOptions(ConfigOptions.JoinSummary);
        // The generated benchmark project builds the whole solution graph; on two shared cores that can pass 2 minutes.
        WithBuildTimeout(TimeSpan.FromMinutes(10));
    }
}
