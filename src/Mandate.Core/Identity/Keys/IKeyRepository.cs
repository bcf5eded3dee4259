namespace Mandate.Core.Identity.Keys;

internal interface IKeyRepository
{
    Task<IReadOnlyList<StoredKey>> ListAsync(CancellationToken cancellationToken);

    Task InsertAsync(StoredKey key, CancellationToken cancellationToken);

    /// <summary>Sets when a key stops signing and when it stops being published.</summary>
    Task ScheduleRetirementAsync(string kid, DateTimeOffset retiresAt, DateTimeOffset publishUntil, CancellationToken cancellationToken);

    /// <summary>Takes the lock that serializes key creation across nodes, for the rest of the transaction.</summary>
    Task LockAsync(CancellationToken cancellationToken);
}
