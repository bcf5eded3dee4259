using BenchmarkDotNet.Attributes;
using Mandate.Benchmarks.Cedar.Apps;
using Mandate.Cedar;

namespace Mandate.Benchmarks.Cedar;

/// <summary>
/// The fixed cost of one decision, without policy work: an empty policy set and a single permit-all policy over
/// the 10,454-entity agent estate. What an app costs above these is scope matching and condition evaluation; the
/// allocation columns show what every decision allocates (response, reason list) before any policy runs.
/// </summary>
[MemoryDiagnoser]
public class DecisionOverheadBenchmarks
{
    private const int Requests = 1_000;

    private Request[] _requests = [];
    private Entities _entities = null!;
    private PolicySet _empty = null!;
    private PolicySet _permitAll = null!;

    [GlobalSetup]
    public void Setup()
    {
        var model = new AgentToolModel();
        var schema = PreparedCorpus.Schema(AgentToolModel.SchemaText, "agents.cedarschema");
        _entities = PreparedCorpus.Entities(model.Entities, schema);
        _requests = [.. model.Requests(Requests, hotOnly: false).Select(r => PreparedCorpus.Request(r, schema))];
        _empty = PolicySet.Parse("", "empty.cedar");
        _permitAll = PolicySet.Parse("permit (principal, action, resource);", "permit-all.cedar");
    }

    [Benchmark(OperationsPerInvoke = Requests)]
    public int NoPolicies() => DecideAll(_empty);

    [Benchmark(OperationsPerInvoke = Requests)]
    public int PermitAll() => DecideAll(_permitAll);

    private int DecideAll(PolicySet policies)
    {
        var allowed = 0;
        foreach (var request in _requests)
        {
            if (Authorizer.IsAuthorized(request, policies, _entities).Decision == Decision.Allow)
            {
                allowed++;
            }
        }
        return allowed;
    }
}
