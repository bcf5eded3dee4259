using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Mandate.Benchmarks.Cedar.Comparators;
using Mandate.Cedar;

namespace Mandate.Benchmarks.Cedar;

/// <summary>
/// Mandate's hierarchy index side by side with a per-entity transitive closure (<see cref="PerEntityClosure"/>, the
/// pre-review algorithm) on the same chains and trees, at sizes the closure can still finish. On a chain the closure is
/// quadratic, so the ratio grows with n; on a shallow tree both are near-linear. <see cref="HierarchyLoadBenchmarks"/>
/// runs Mandate alone at 100,000 entities, where the closure would need 5·10^9 set entries.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class HierarchyClosureComparisonBenchmarks
{
    private Entity[] chain = [];
    private Entity[] tree = [];

    [ParamsSource(nameof(Counts))]
    public int Count { get; set; }

    public static IEnumerable<int> Counts() => DocsSmoke.Size<int[]>([1_000, 4_000], [100]);

    [GlobalSetup]
    public void Setup()
    {
        chain = [.. Enumerable.Range(0, Count).Select(i => new Entity(Uid(i), null, i + 1 < Count ? [Uid(i + 1)] : []))];
        tree = [.. Enumerable.Range(0, Count).Select(i => new Entity(Uid(i), null, i > 0 ? [Uid((i - 1) / 4)] : []))];
    }

    [Benchmark(Baseline = true), BenchmarkCategory("chain")]
    public int ClosureChain() => PerEntityClosure.Build(chain).Count;

    [Benchmark, BenchmarkCategory("chain")]
    public int MandateChain() => Entities.Create(chain).Count;

    [Benchmark(Baseline = true), BenchmarkCategory("tree")]
    public int ClosureTree() => PerEntityClosure.Build(tree).Count;

    [Benchmark, BenchmarkCategory("tree")]
    public int MandateTree() => Entities.Create(tree).Count;

    private static EntityUid Uid(int i) => new("Group", "g" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
