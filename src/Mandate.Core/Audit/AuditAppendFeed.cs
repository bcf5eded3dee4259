namespace Mandate.Core.Audit;

/// <summary>
/// The audit trail's in-process append feed: every record this node commits to the chain is announced here once its
/// transaction has committed (records of a rolled-back transaction never are), so that consumers such as the
/// detection engine stream over the ledger as it grows instead of reading the table on a timer. Announcements from
/// concurrent commits may arrive out of sequence order, and records other nodes append are not announced at all: a
/// consumer that needs every record fills the gaps it sees from the store.
/// </summary>
internal sealed class AuditAppendFeed
{
    private volatile Action<IReadOnlyList<AuditRecord>>[] subscribers = [];
    private readonly Lock gate = new();

    /// <summary>
    /// Calls <paramref name="subscriber"/> with every batch of committed records from now on, on the committing
    /// thread: it must be quick and must not throw (hand the records to a queue). Dispose the result to stop.
    /// </summary>
    public IDisposable Subscribe(Action<IReadOnlyList<AuditRecord>> subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (gate)
        {
            subscribers = [.. subscribers, subscriber];
        }

        return new Subscription(this, subscriber);
    }

    /// <summary>Announces committed records (in the order they were chained).</summary>
    public void Committed(IReadOnlyList<AuditRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        foreach (var subscriber in subscribers)
        {
            subscriber(records);
        }
    }

    private void Unsubscribe(Action<IReadOnlyList<AuditRecord>> subscriber)
    {
        lock (gate)
        {
            subscribers = subscribers.Where(s => s != subscriber).ToArray();
        }
    }

    private sealed class Subscription(AuditAppendFeed feed, Action<IReadOnlyList<AuditRecord>> subscriber) : IDisposable
    {
        public void Dispose() => feed.Unsubscribe(subscriber);
    }
}
