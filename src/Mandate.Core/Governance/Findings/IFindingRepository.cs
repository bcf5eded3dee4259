namespace Mandate.Core.Governance.Findings;

/// <summary>Findings as last computed, open and resolved.</summary>
internal interface IFindingRepository
{
    Task<IReadOnlyList<Finding>> ListAsync(FindingQuery query, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces each finding by id.</summary>
    Task UpsertAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken);
}
