using BenchmarkDotNet.Attributes;
using Mandate.Cedar;

namespace Mandate.Benchmarks.Cedar;

/// <summary>
/// Loading deep and wide hierarchies (L12 of the security review): 100,000 entities as one chain (the worst case of a
/// per-entity closure: 5·10^9 ancestor entries), as a balanced tree, and the chain through the entities JSON reader.
/// Target: each well under 2 s and linear memory; an <c>in</c> from the bottom of the chain to its top is O(1).
/// </summary>
[MemoryDiagnoser]
public class HierarchyLoadBenchmarks
{
    private static readonly int Count = DocsSmoke.Size(100_000, 1_000);

    private Entity[] chain = [];
    private Entity[] tree = [];
    private string chainJson = string.Empty;
    private Entities loadedChain = null!;

    [GlobalSetup]
    public void Setup()
    {
        chain = [.. Enumerable.Range(0, Count).Select(i => new Entity(Uid(i), null, i + 1 < Count ? [Uid(i + 1)] : []))];
        tree = [.. Enumerable.Range(0, Count).Select(i => new Entity(Uid(i), null, i > 0 ? [Uid((i - 1) / 4)] : []))];
        chainJson = "[" + string.Join(',', Enumerable.Range(0, Count).Select(i =>
            "{\"uid\":{\"type\":\"Group\",\"id\":\"g" + i + "\"},\"attrs\":{},\"parents\":[" + (i + 1 < Count ? "{\"type\":\"Group\",\"id\":\"g" + (i + 1) + "\"}" : "") + "]}")) + "]";
        loadedChain = Entities.Create(chain);
    }

    [Benchmark]
    public int LoadChain() => Entities.Create(chain).Count;

    [Benchmark]
    public int LoadTree() => Entities.Create(tree).Count;

    [Benchmark]
    public int ParseChainJson() => Entities.ParseJson(chainJson).Count;

    [Benchmark]
    public bool InFromBottomToTop() => loadedChain.IsInOrEqual(Uid(0), Uid(Count - 1));

    private static EntityUid Uid(int i) => new("Group", "g" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
