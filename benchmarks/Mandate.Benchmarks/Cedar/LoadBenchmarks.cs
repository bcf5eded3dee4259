using BenchmarkDotNet.Attributes;
using Mandate.Benchmarks.Cedar.Apps;
using Mandate.Benchmarks.Cedar.Corpus;
using Mandate.Cedar;

namespace Mandate.Benchmarks.Cedar;

/// <summary>
/// Load times: parsing and indexing 10,000 policies (target: under 1 s), and building the 10,454-entity store of the
/// agent model from its JSON (transitive ancestors included).
/// </summary>
[MemoryDiagnoser]
public class LoadBenchmarks
{
    private string _tenThousandPolicies = "";
    private string _estateJson = "";
    private Schema _schema = null!;

    [GlobalSetup]
    public void Setup()
    {
        var model = new AgentToolModel();
        // A docs smoke run parses 100 policies instead of 10,000.
        _tenThousandPolicies = model.ScalingPolicies(DocsSmoke.Size(10_000, 100));
        _estateJson = CedarJson.EntitiesToJson(model.Entities);
        _schema = Schema.Parse(AgentToolModel.SchemaText, "agents.cedarschema");
    }

    [Benchmark]
    public int ParseTenThousandPolicies() => PolicySet.Parse(_tenThousandPolicies, "agents-10000.cedar").Policies.Count;

    [Benchmark]
    public int LoadAgentEstate() => Entities.ParseJson(_estateJson, _schema).Count;
}
