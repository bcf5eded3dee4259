using BenchmarkDotNet.Attributes;
using Mandate.Benchmarks.Cedar.Apps;
using Mandate.Cedar;

namespace Mandate.Benchmarks.Cedar;

/// <summary>
/// The agent/tool permission model: 1,262 policies over 10,454 entities, 2,000 requests by any agent; and the
/// scaling curve, where the policies that can apply to the (hot) requesting agents stay fixed while the set grows
/// from 100 to 10,000 policies with grants for other agents. Flat means unrelated policies cost nothing.
/// </summary>
[MemoryDiagnoser]
public class AgentModelBenchmarks
{
    private const int Requests = 2_000;

    private Request[] _requests = [];
    private PolicySet _policies = null!;
    private Entities _entities = null!;

    /// <summary>0 = the agent app's own policy set (1,262 policies, requests by any agent); otherwise a scaling set.</summary>
    [ParamsSource(nameof(PolicyCounts))]
    public int Policies { get; set; }

    /// <summary>The app's own set and the scaling curve; the smallest scaling set alone in a docs smoke run.</summary>
    public static IEnumerable<int> PolicyCounts() => DocsSmoke.Size<int[]>([0, 100, 1_000, 10_000], [100]);

    [GlobalSetup]
    public void Setup()
    {
        var model = new AgentToolModel();
        var schema = PreparedCorpus.Schema(AgentToolModel.SchemaText, "agents.cedarschema");
        _entities = PreparedCorpus.Entities(model.Entities, schema);
        _policies = PolicySet.Parse(Policies == 0 ? model.Policies() : model.ScalingPolicies(Policies), "agents.cedar");
        _requests = [.. model.Requests(Requests, hotOnly: Policies != 0).Select(r => PreparedCorpus.Request(r, schema))];
    }

    [Benchmark(OperationsPerInvoke = Requests)]
    public int Decide()
    {
        var allowed = 0;
        foreach (var request in _requests)
        {
            if (Authorizer.IsAuthorized(request, _policies, _entities).Decision == Decision.Allow)
            {
                allowed++;
            }
        }
        return allowed;
    }
}
