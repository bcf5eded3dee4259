using Mandate.Core.Governance.Inventory;
using Mandate.Core.Storage;

namespace Mandate.Core.Governance.Offboarding;

/// <summary>
/// Nothing new is imported for a departed owner: a row that would add an identity owned by an offboarded owner is
/// refused with its line, like any bad row, and the rest of the file goes on. Rows for identities already in the
/// inventory still update them (a key deactivated at the source must be recorded, and the identity is orphaned).
/// </summary>
internal static class DepartedOwnerImportFilter
{
    public static async Task ApplyAsync(IMandateStore store, InventoryParse parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(parse);
        var owners = parse.Entries.Where(e => e.Owner is not null).Select(e => e.Owner!).ToHashSet(StringComparer.Ordinal);
        if (owners.Count == 0)
        {
            return;
        }

        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var departed = (await session.Get<IOffboardingRepository>().GetDepartedAsync(owners, cancellationToken).ConfigureAwait(false))
            .ToDictionary(d => d.Owner, StringComparer.Ordinal);
        if (departed.Count == 0)
        {
            return;
        }

        var candidates = parse.Entries.Where(e => e.Owner is not null && departed.ContainsKey(e.Owner)).ToList();
        var stored = await session.Get<IInventoryRepository>().GetManyAsync([.. candidates.Select(e => (e.Source, e.ExternalId))], cancellationToken).ConfigureAwait(false);
        var refused = candidates.Where(e => !stored.ContainsKey((e.Source, e.ExternalId))).ToHashSet();
        if (refused.Count == 0)
        {
            return;
        }

        foreach (var entry in refused)
        {
            var departure = departed[entry.Owner!];
            parse.Errors.Add(new InventoryRowError(entry.Line, $"owner: {departure.Owner} was offboarded ({departure.OffboardingId}); no new identity can be imported for it"));
        }

        parse.Entries.RemoveAll(refused.Contains);
        parse.Errors.Sort((a, b) => a.Line.CompareTo(b.Line));
    }
}
