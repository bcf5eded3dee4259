using System.Collections.Concurrent;

namespace Mandate.Storage.Relational;

/// <summary>
/// The ids of the ledger's repeated strings (<c>audit_strings</c>) that one store has seen committed, so an append looks
/// up only the strings it has not met yet. Only committed entries are added (after the appending transaction commits):
/// an id taken in a transaction that rolled back is never remembered. Entries never change once committed; an edit
/// behind the store's back is caught by verification, which reads the table, not this cache. Bounded in entries and in
/// the characters they hold: when either bound would be passed it starts over.
/// </summary>
internal sealed class AuditStringIds
{
    /// <summary>
    /// Room for the subjects of a large estate: a first findings recompute over 100,000 imported identities appends one
    /// event per identity, each naming its ARN, and with room for 65,536 the cache started over during the import
    /// before it, so the recompute looked up most of its subjects in the database again.
    /// </summary>
    internal const int MaxEntries = 262_144;

    /// <summary>At most 8 Mi characters (16 MiB of text) whatever the strings' lengths.</summary>
    internal const long MaxCharacters = 8L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, long> ids = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private long characters;

    public int Count => ids.Count;

    public long Characters => Interlocked.Read(ref characters);

    public bool TryGet(string value, out long id) => ids.TryGetValue(value, out id);

    /// <summary>Remembers entries that are now committed.</summary>
    public void AddCommitted(IEnumerable<KeyValuePair<string, long>> committed)
    {
        ArgumentNullException.ThrowIfNull(committed);

        // Appenders commit concurrently; the bounds are kept under one lock (readers do not take it).
        lock (gate)
        {
            foreach (var (value, id) in committed)
            {
                if (value.Length > MaxCharacters)
                {
                    continue;
                }

                if (ids.Count >= MaxEntries || characters + value.Length > MaxCharacters)
                {
                    ids.Clear();
                    Interlocked.Exchange(ref characters, 0);
                }

                if (ids.TryAdd(value, id))
                {
                    Interlocked.Add(ref characters, value.Length);
                }
            }
        }
    }
}
