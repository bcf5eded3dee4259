using Mandate.Core.Storage;

namespace Mandate.Core.Governance.Inventory;

/// <summary>Reads the imported inventory.</summary>
internal sealed class InventoryReader(IMandateStore store)
{
    public async Task<IReadOnlyList<InventoryEntry>> ListAsync(InventoryQuery query, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IInventoryRepository>().ListAsync(query, cancellationToken).ConfigureAwait(false);
    }
}
