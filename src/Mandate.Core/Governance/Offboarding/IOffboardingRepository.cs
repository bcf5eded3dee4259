namespace Mandate.Core.Governance.Offboarding;

/// <summary>Departed owners, offboarding records with their evidence, and the identity changes offboarding makes.</summary>
internal interface IOffboardingRepository
{
    Task<DepartedOwner?> GetDepartedAsync(string owner, CancellationToken cancellationToken);

    /// <summary>The departed among <paramref name="owners"/>.</summary>
    Task<IReadOnlyList<DepartedOwner>> GetDepartedAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken);

    /// <summary>Marks the owner departed; false, changing nothing, when it is departed already.</summary>
    Task<bool> MarkDepartedAsync(DepartedOwner departed, CancellationToken cancellationToken);

    /// <summary>Moves a registered identity from <paramref name="from"/> to <paramref name="to"/>; false when it is no longer <paramref name="from"/>'s.</summary>
    Task<bool> TransferAsync(string spiffeId, string from, string to, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Ends every unused, unexpired join token of the identity (it can no longer be redeemed); how many.</summary>
    Task<int> EndJoinTokensAsync(string spiffeId, DateTimeOffset now, CancellationToken cancellationToken);

    Task InsertAsync(OffboardingRecord record, CancellationToken cancellationToken);

    Task<OffboardingRecord?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Offboardings, newest first.</summary>
    Task<IReadOnlyList<OffboardingRecord>> ListAsync(int limit, CancellationToken cancellationToken);
}
