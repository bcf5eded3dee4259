using Mandate.Benchmarks.Cedar.Model;

namespace Mandate.Benchmarks.Cedar.Apps;

/// <summary>
/// gdrive: n users (each with its View), n groups (each with its View under its members' Views), n documents and
/// n folders (folders only inside lower-numbered folders, so the graph is a DAG). One departure from the paper's
/// Python generator: it names the share targets of documents and folders "User 3" / "Group 3" while the View
/// entities are "User user_3" / "Group group_3", so in the paper no direct share ever matched; here shares point at
/// the real View entities, which exercises the first policy as intended. Same edge counts and probabilities.
/// </summary>
public sealed class GdriveApp : PaperApp
{
    private static readonly string[] DocumentActions = ["read", "write", "share", "changeOwner"];

    public override string Name => "gdrive";

    public override IReadOnlyList<ActionShape> Actions { get; } =
    [
        .. DocumentActions.Select(a => new ActionShape(a, [], ["User"], ["Document"])),
        new ActionShape("createDocument", [], ["User"], ["Folder"]),
    ];

    protected override IEnumerable<GeneratedEntity> GenerateEntities(int n, DeterministicRandom random)
    {
        const double p = ConnectionProbability;
        var members = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        var entities = new List<GeneratedEntity>();
        for (var i = 0; i < n; i++)
        {
            var groups = new List<Uid>();
            for (var j = 0; j < n; j++)
            {
                if (random.Chance(p))
                {
                    groups.Add(new Uid("Group", $"group_{j}"));
                    members[j].Add(i);
                }
            }
            var ownedDocuments = Enumerable.Range(0, n).Where(_ => random.Chance(p)).Select(j => new Uid("Document", $"doc_{j}")).ToArray();
            var ownedFolders = Enumerable.Range(0, n).Where(_ => random.Chance(p)).Select(j => new Uid("Folder", $"folder_{j}")).ToArray();
            entities.Add(new GeneratedEntity(
                new Uid("User", $"user_{i}"),
                [
                    ("documentsAndFoldersWithViewAccess", AttributeValue.Of(UserView(i))),
                    ("ownedDocuments", AttributeValue.SetOf(ownedDocuments)),
                    ("ownedFolders", AttributeValue.SetOf(ownedFolders)),
                ],
                groups));
            entities.Add(GeneratedEntity.Plain(UserView(i)));
        }
        for (var i = 0; i < n; i++)
        {
            entities.Add(GeneratedEntity.Plain(new Uid("Group", $"group_{i}")));
            entities.Add(GeneratedEntity.Plain(GroupView(i), [.. members[i].Select(UserView)]));
        }
        for (var i = 0; i < n; i++)
        {
            var parents = new List<Uid>();
            parents.AddRange(Enumerable.Range(0, n).Where(_ => random.Chance(p)).Select(j => new Uid("Folder", $"folder_{j}")));
            parents.AddRange(Enumerable.Range(0, n).Where(_ => random.Chance(p)).Select(UserView));
            parents.AddRange(Enumerable.Range(0, n).Where(_ => random.Chance(p)).Select(GroupView));
            entities.Add(new GeneratedEntity(new Uid("Document", $"doc_{i}"), [("isPublic", AttributeValue.Of(random.Chance(0.5)))], parents));
        }
        for (var i = 0; i < n; i++)
        {
            var parents = new List<Uid>();
            parents.AddRange(Enumerable.Range(0, i).Where(_ => random.Chance(p)).Select(j => new Uid("Folder", $"folder_{j}")));
            parents.AddRange(Enumerable.Range(0, n).Where(_ => random.Chance(p)).Select(UserView));
            parents.AddRange(Enumerable.Range(0, n).Where(_ => random.Chance(p)).Select(GroupView));
            entities.Add(GeneratedEntity.Plain(new Uid("Folder", $"folder_{i}"), parents));
        }
        return entities;
    }

    private static Uid UserView(int user) => new("View", $"User user_{user}");

    private static Uid GroupView(int group) => new("View", $"Group group_{group}");
}
