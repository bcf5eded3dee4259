using BenchmarkDotNet.Attributes;
using Mandate.Benchmarks.Cedar.Apps;
using Mandate.Cedar;

namespace Mandate.Benchmarks.Cedar;

/// <summary>
/// The hot-path lookups on the 10,454-entity store: fetching an entity and answering <c>in</c> from the precomputed
/// ancestor sets. Target: zero bytes allocated per operation. Uses the engine's internal ancestor check (visible to
/// this assembly) because the public surface only reaches it through a whole decision.
/// </summary>
[MemoryDiagnoser]
public class EntityLookupBenchmarks
{
    private const int Lookups = 1_000;

    private Entities _entities = null!;
    private (EntityUid Descendant, EntityUid Ancestor)[] _pairs = [];

    [GlobalSetup]
    public void Setup()
    {
        var model = new AgentToolModel();
        _entities = PreparedCorpus.Entities(model.Entities, PreparedCorpus.Schema(AgentToolModel.SchemaText, "agents.cedarschema"));
        var random = new Mandate.Benchmarks.Cedar.DeterministicRandom(7);
        _pairs = [.. Enumerable.Range(0, Lookups).Select(i => (i % 2) switch
        {
            0 => (Uid(AgentToolModel.Agent(random.Next(AgentToolModel.AgentCount))), Uid(AgentToolModel.Group(random.Next(AgentToolModel.GroupCount)))),
            _ => (Uid(AgentToolModel.Tool(random.Next(AgentToolModel.ServerCount * AgentToolModel.ToolsPerServer))), Uid(AgentToolModel.Server(random.Next(AgentToolModel.ServerCount)))),
        })];
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int TryGet()
    {
        var found = 0;
        foreach (var (descendant, _) in _pairs)
        {
            if (_entities.TryGet(descendant, out var entity) && entity.Parents.Count > 0)
            {
                found++;
            }
        }
        return found;
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int AncestorCheck()
    {
        var inside = 0;
        foreach (var (descendant, ancestor) in _pairs)
        {
            if (_entities.IsInOrEqual(descendant, ancestor))
            {
                inside++;
            }
        }
        return inside;
    }

    private static EntityUid Uid(Model.Uid uid) => new(uid.Type, uid.Id);
}
