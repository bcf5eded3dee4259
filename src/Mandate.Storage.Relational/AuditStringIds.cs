using System.Collections.Concurrent;

namespace Mandate.Storage.Relational;

/// <summary>
/// The ids of the ledger's repeated strings (<c>audit_strings</c>) that one store has seen committed, so an append looks
/// up only the strings it has not met yet. Only committed entries are added (after the appending transaction commits):
/// an id taken in a transaction that rolled back is never remembered. Entries never change once committed; an edit
/// behind the store's back is caught by verification, which reads the table, not this cache. Bounded: when full it
/// starts over.
/// </summary>
internal sealed class AuditStringIds
{
    private const int Capacity = 65_536;

    private readonly ConcurrentDictionary<string, long> ids = new(StringComparer.Ordinal);

    public bool TryGet(string value, out long id) => ids.TryGetValue(value, out id);

    /// <summary>Remembers entries that are now committed.</summary>
    public void AddCommitted(IEnumerable<KeyValuePair<string, long>> committed)
    {
        ArgumentNullException.ThrowIfNull(committed);
        if (ids.Count > Capacity)
        {
            ids.Clear();
        }

        foreach (var (value, id) in committed)
        {
            ids[value] = id;
        }
    }
}
