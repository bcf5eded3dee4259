using BenchmarkDotNet.Attributes;
using Mandate.Benchmarks.Cedar.Apps;
using Mandate.Cedar;

namespace Mandate.Benchmarks.Cedar;

/// <summary>
/// The Cedar paper's three apps (OOPSLA 2024, Fig. 14) at 5…50 entities per type: mean time and allocation per
/// decision over 4 hierarchies × 500 requests, with the policy set and entity stores prepared in the setup. The
/// per-decision median and p99 come from <c>measure</c> (see docs/benchmarks.md); this class shows the curve is flat.
/// </summary>
[MemoryDiagnoser]
public class PaperAppBenchmarks
{
    private const int Hierarchies = 4;
    private const int RequestsPerHierarchy = 500;
    private const int Decisions = Hierarchies * RequestsPerHierarchy;

    private PreparedDecision[] _decisions = [];
    private PolicySet _policies = null!;

    [Params("gdrive", "github", "tinytodo")]
    public string App { get; set; } = "gdrive";

    [ParamsSource(nameof(Sizes))]
    public int EntitiesPerType { get; set; } = 5;

    /// <summary>The paper's sizes; the smallest alone in a docs smoke run.</summary>
    public static IEnumerable<int> Sizes() => DocsSmoke.Size<int[]>([5, 10, 15, 20, 30, 40, 50], [5]);

    [GlobalSetup]
    public void Setup()
    {
        var app = PaperApp.Named(App);
        _policies = PolicySet.Parse(app.PolicyText, $"{App}.cedar");
        var schema = PreparedCorpus.Schema(app.SchemaText, $"{App}.cedarschema");
        _decisions = PreparedCorpus.PaperDecisions(app, EntitiesPerType, Hierarchies, RequestsPerHierarchy, schema);
    }

    [Benchmark(OperationsPerInvoke = Decisions)]
    public int Decide()
    {
        var allowed = 0;
        foreach (var decision in _decisions)
        {
            if (Authorizer.IsAuthorized(decision.Request, _policies, decision.Entities).Decision == Decision.Allow)
            {
                allowed++;
            }
        }
        return allowed;
    }
}
