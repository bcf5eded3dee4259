namespace Mandate.Core.Governance.Findings;

internal sealed record FindingQuery
{
    public string? Kind { get; init; }

    public string? Owner { get; init; }

    public string? Identity { get; init; }

    public string? Status { get; init; }

    public string? Id { get; init; }
}
