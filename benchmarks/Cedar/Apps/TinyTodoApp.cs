using Mandate.Benchmarks.Cedar.Model;

namespace Mandate.Benchmarks.Cedar.Apps;

/// <summary>
/// tinytodo: the Application, n users and n teams (teams nested only in lower-numbered teams, users in teams with
/// probability 0.05, everything under the Application) and n lists, each with a random owner, reader team and
/// editor team and 0–50 task records, as in the paper's generator.
/// </summary>
public sealed class TinyTodoApp : PaperApp
{
    private static readonly Uid Application = new("Application", "TinyTodo");

    public override string Name => "tinytodo";

    public override IReadOnlyList<ActionShape> Actions { get; } =
    [
        new ActionShape("CreateList", [], ["User"], ["Application"]),
        new ActionShape("GetLists", [], ["User"], ["Application"]),
        .. new[] { "GetList", "UpdateList", "DeleteList", "CreateTask", "UpdateTask", "DeleteTask", "EditShares" }
            .Select(a => new ActionShape(a, [], ["User"], ["List"])),
    ];

    protected override IEnumerable<GeneratedEntity> GenerateEntities(int n, DeterministicRandom random)
    {
        const double p = ConnectionProbability;
        var entities = new List<GeneratedEntity> { GeneratedEntity.Plain(Application) };
        for (var i = 0; i < n; i++)
        {
            var teams = Enumerable.Range(0, n).Where(_ => random.Chance(p)).Select(Team);
            entities.Add(GeneratedEntity.Plain(new Uid("User", $"user_{i}"), [.. teams, Application]));
        }
        for (var i = 0; i < n; i++)
        {
            var teams = Enumerable.Range(0, i).Where(_ => random.Chance(p)).Select(Team);
            entities.Add(GeneratedEntity.Plain(Team(i), [.. teams, Application]));
        }
        for (var i = 0; i < n; i++)
        {
            var name = $"list_{i}";
            var owner = new Uid("User", $"user_{random.Next(n)}");
            var readers = Team(random.Next(n));
            var editors = Team(random.Next(n));
            var tasks = Enumerable.Range(0, random.NextInclusive(0, 50)).Select(_ => AttributeValue.RecordOf(
                ("name", AttributeValue.Of($"task_{random.NextInclusive(1, 1_000_000)}")),
                ("id", AttributeValue.Of((long)random.NextInclusive(1, 1_000_000))),
                ("state", AttributeValue.Of(random.Chance(0.5) ? "Checked" : "Unchecked")))).ToArray();
            entities.Add(new GeneratedEntity(
                new Uid("List", name),
                [
                    ("name", AttributeValue.Of(name)),
                    ("owner", AttributeValue.Of(owner)),
                    ("readers", AttributeValue.Of(readers)),
                    ("editors", AttributeValue.Of(editors)),
                    ("tasks", AttributeValue.SetOf(tasks)),
                ],
                [Application]));
        }
        return entities;
    }

    private static Uid Team(int team) => new("Team", $"team_{team}");
}
