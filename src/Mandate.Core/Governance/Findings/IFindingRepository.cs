namespace Mandate.Core.Governance.Findings;

/// <summary>Findings as last computed, open and resolved.</summary>
internal interface IFindingRepository
{
    Task<IReadOnlyList<Finding>> ListAsync(FindingQuery query, CancellationToken cancellationToken);

    /// <summary>Every stored finding's state and content digest (no content): what a recompute compares against.</summary>
    Task<IReadOnlyList<FindingState>> ListStatesAsync(CancellationToken cancellationToken);

    /// <summary>Inserts findings that are not stored yet, many per statement; an id already stored is left as it is.</summary>
    Task InsertAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts findings as opened at <paramref name="at"/> (open, first and last seen then, no resolution or acceptance)
    /// whatever those fields of the given findings say; otherwise as <see cref="InsertAsync"/>. A first recompute opens
    /// hundreds of thousands of findings, and a copy of each with its times set was that many more objects to allocate
    /// and keep until the insert ended.
    /// </summary>
    Task InsertOpenedAsync(IReadOnlyList<Finding> findings, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces each finding by id.</summary>
    Task UpsertAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken);

    /// <summary>Marks the findings resolved at <paramref name="at"/> and clears their acceptance.</summary>
    Task ResolveAsync(IReadOnlyList<string> ids, DateTimeOffset at, CancellationToken cancellationToken);
}
