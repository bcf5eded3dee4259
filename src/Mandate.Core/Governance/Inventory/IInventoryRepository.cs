namespace Mandate.Core.Governance.Inventory;

/// <summary>The imported inventory, keyed by (source, external id).</summary>
internal interface IInventoryRepository
{
    /// <summary>The stored entries among <paramref name="keys"/>, with their credentials.</summary>
    Task<IReadOnlyDictionary<(string Source, string ExternalId), InventoryEntry>> GetManyAsync(IReadOnlyCollection<(string Source, string ExternalId)> keys, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces each entry and its credentials (a credential slot missing from the entry is removed).</summary>
    Task UpsertAsync(IReadOnlyList<InventoryEntry> entries, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Every entry with its credentials, in two scans (no order): what a findings recompute judges.</summary>
    Task<IReadOnlyList<InventoryEntry>> ReadAllAsync(CancellationToken cancellationToken);

    /// <summary>Entries in (source, external id) order after <see cref="InventoryQuery.After"/>, with their credentials.</summary>
    Task<IReadOnlyList<InventoryEntry>> ListAsync(InventoryQuery query, CancellationToken cancellationToken);

    /// <summary>The identities holding a credential whose public id (an access key id) is among <paramref name="credentialIds"/>.</summary>
    Task<IReadOnlyList<InventoryCredentialHolder>> FindByCredentialIdsAsync(IReadOnlyCollection<string> credentialIds, CancellationToken cancellationToken);
}
