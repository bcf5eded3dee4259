namespace Mandate.Benchmarks.Cedar.Model;

/// <summary>An entity reference in generated data (kept apart from the engine's EntityUid so the corpus needs no engine).</summary>
public readonly record struct Uid(string Type, string Id)
{
    public override string ToString() => $"{Type}::\"{Id}\"";
}
