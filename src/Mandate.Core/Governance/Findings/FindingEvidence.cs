namespace Mandate.Core.Governance.Findings;

/// <summary>
/// What proves a finding: a ledger record (<c>ledger</c>, <see cref="Sequence"/>), an imported field and its value
/// (<c>field</c>, <see cref="Name"/>, <see cref="Value"/>, <see cref="Source"/>), or a policy (<c>policy</c>, <see cref="Id"/>).
/// </summary>
internal sealed record FindingEvidence
{
    public required string Kind { get; init; }

    public long? Sequence { get; init; }

    public string? Name { get; init; }

    public string? Value { get; init; }

    public string? Source { get; init; }

    public string? Id { get; init; }

    public static FindingEvidence Field(string name, string? value, string source) => new() { Kind = "field", Name = name, Value = value ?? "none", Source = source };
}
