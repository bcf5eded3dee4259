using Mandate.Benchmarks.Cedar.Model;

namespace Mandate.Benchmarks.Cedar.Apps;

/// <summary>
/// github: n organisations (each with reader/writer/admin permission entities), n repositories (each owned by a
/// random organisation, with five role entities), n teams (nested only in lower-numbered teams) and n users, linked
/// to roles, teams and organisations with probability 0.05, as in the paper's generator.
/// </summary>
public sealed class GithubApp : PaperApp
{
    private static readonly string[] RepoRoles = ["readers", "triagers", "writers", "maintainers", "admins"];
    private static readonly string[] OrgRoles = ["readers", "writers", "admins"];

    public override string Name => "github";

    public override IReadOnlyList<ActionShape> Actions { get; } =
    [
        new ActionShape("read", ["triage"], ["User"], ["Repository"]),
        new ActionShape("triage", ["write"], ["User"], ["Repository"]),
        new ActionShape("write", ["maintain"], ["User"], ["Repository"]),
        new ActionShape("maintain", ["admin"], ["User"], ["Repository"]),
        new ActionShape("admin", [], ["User"], ["Repository"]),
    ];

    protected override IEnumerable<GeneratedEntity> GenerateEntities(int n, DeterministicRandom random)
    {
        const double p = ConnectionProbability;
        var entities = new List<GeneratedEntity>();
        for (var i = 0; i < n; i++)
        {
            var org = $"org_{i}";
            var parents = Enumerable.Range(0, n).Where(_ => random.Chance(p)).Select(j => OrgRole(j, random)).ToArray();
            entities.Add(new GeneratedEntity(
                new Uid("Organization", org),
                [.. OrgRoles.Select(r => (r, AttributeValue.Of(new Uid("OrgPermission", $"{org}_{r}"))))],
                parents));
            entities.AddRange(OrgRoles.Select(r => GeneratedEntity.Plain(new Uid("OrgPermission", $"{org}_{r}"))));
        }
        for (var i = 0; i < n; i++)
        {
            var repo = $"repo_{i}";
            var owner = new Uid("Organization", $"org_{random.Next(n)}");
            entities.Add(new GeneratedEntity(
                new Uid("Repository", repo),
                [.. RepoRoles.Select(r => (r, AttributeValue.Of(new Uid("RepoPermission", $"{repo}_{r}")))), ("owner", AttributeValue.Of(owner))],
                []));
            entities.AddRange(RepoRoles.Select(r => GeneratedEntity.Plain(new Uid("RepoPermission", $"{repo}_{r}"))));
        }
        for (var i = 0; i < n; i++)
        {
            var parents = new List<Uid>();
            parents.AddRange(Enumerable.Range(0, i).Where(_ => random.Chance(p)).Select(j => new Uid("Team", $"team_{j}")));
            parents.AddRange(Enumerable.Range(0, n).Where(_ => random.Chance(p)).Select(j => RepoRole(j, random)));
            entities.Add(GeneratedEntity.Plain(new Uid("Team", $"team_{i}"), parents));
        }
        for (var i = 0; i < n; i++)
        {
            var parents = new List<Uid>();
            parents.AddRange(Enumerable.Range(0, n).Where(_ => random.Chance(p)).Select(j => RepoRole(j, random)));
            parents.AddRange(Enumerable.Range(0, n).Where(_ => random.Chance(p)).Select(j => new Uid("Team", $"team_{j}")));
            for (var j = 0; j < n; j++)
            {
                if (random.Chance(p))
                {
                    parents.Add(new Uid("Organization", $"org_{j}"));
                }
                if (random.Chance(p))
                {
                    parents.Add(OrgRole(j, random));
                }
            }
            entities.Add(GeneratedEntity.Plain(new Uid("User", $"user_{i}"), parents.Distinct().ToArray()));
        }
        return entities;
    }

    private static Uid RepoRole(int repo, DeterministicRandom random) => new("RepoPermission", $"repo_{repo}_{random.Pick(RepoRoles)}");

    private static Uid OrgRole(int org, DeterministicRandom random) => new("OrgPermission", $"org_{org}_{random.Pick(OrgRoles)}");
}
