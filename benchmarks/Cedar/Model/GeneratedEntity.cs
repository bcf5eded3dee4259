namespace Mandate.Benchmarks.Cedar.Model;

/// <summary>One entity of a generated hierarchy: uid, attributes (in a fixed order) and direct parents.</summary>
public sealed record GeneratedEntity(Uid Uid, IReadOnlyList<(string Name, AttributeValue Value)> Attributes, IReadOnlyList<Uid> Parents)
{
    public static GeneratedEntity Plain(Uid uid, IReadOnlyList<Uid>? parents = null) => new(uid, [], parents ?? []);
}
