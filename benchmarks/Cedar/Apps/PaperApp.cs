using Mandate.Benchmarks.Cedar.Model;

namespace Mandate.Benchmarks.Cedar.Apps;

/// <summary>
/// One of the three applications of the Cedar paper's harness (OOPSLA 2024, section 5; cedar-policy/cedar-examples
/// <c>oopsla2024-benchmarks</c>). A hierarchy has <c>entitiesPerType</c> entities of each generated type, linked with
/// the harness's connection probability 0.05; requests pick an action of the schema, then a principal and a resource
/// of the types the action applies to, uniformly among the hierarchy's entities (the harness also keeps only
/// requests whose principal and resource exist). Context is empty: none of the three schemas declares one.
/// </summary>
public abstract class PaperApp
{
    /// <summary>The harness's probability for every optional edge (membership, ownership, sharing).</summary>
    public const double ConnectionProbability = 0.05;

    /// <summary>The entity counts per type the paper plots (Fig. 14).</summary>
    public static IReadOnlyList<int> PaperEntityCounts { get; } = [5, 10, 15, 20, 30, 40, 50];

    public static IReadOnlyList<PaperApp> All { get; } = [new GdriveApp(), new GithubApp(), new TinyTodoApp()];

    public abstract string Name { get; }

    public string PolicyText => EmbeddedText.Read(Name + ".cedar");

    public string SchemaText => EmbeddedText.Read(Name + ".cedarschema");

    public abstract IReadOnlyList<ActionShape> Actions { get; }

    public static PaperApp Named(string name) =>
        All.FirstOrDefault(a => a.Name == name) ?? throw new ArgumentException($"Unknown benchmark app '{name}'. Known: {string.Join(", ", All.Select(a => a.Name))}.", nameof(name));

    /// <summary>The hierarchy number <paramref name="index"/> for a given size; the same arguments give the same data.</summary>
    public Hierarchy Generate(int entitiesPerType, int requestCount, int index, ulong seed = CorpusSeed.Default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(entitiesPerType);
        var random = new DeterministicRandom(DeterministicRandom.Derive(seed, Name, entitiesPerType, index));
        var entities = new List<GeneratedEntity>();
        entities.AddRange(Actions.Select(a => GeneratedEntity.Plain(new Uid("Action", a.Id), [.. a.Parents.Select(p => new Uid("Action", p))])));
        entities.AddRange(GenerateEntities(entitiesPerType, random));

        var byType = entities.GroupBy(e => e.Uid.Type).ToDictionary(g => g.Key, g => g.Select(e => e.Uid).ToArray());
        var requests = new List<GeneratedRequest>(requestCount);
        while (requests.Count < requestCount)
        {
            var action = random.Pick(Actions);
            var principals = action.PrincipalTypes.SelectMany(t => byType.GetValueOrDefault(t, [])).ToArray();
            var resources = action.ResourceTypes.SelectMany(t => byType.GetValueOrDefault(t, [])).ToArray();
            requests.Add(new GeneratedRequest(random.Pick(principals), new Uid("Action", action.Id), random.Pick(resources), []));
        }
        return new Hierarchy(entities, requests);
    }

    protected abstract IEnumerable<GeneratedEntity> GenerateEntities(int n, DeterministicRandom random);
}
