using System.Collections.Concurrent;
using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Core.Storage;

namespace Mandate.Core.Credentials;

/// <summary>
/// Counts credential uses in memory and writes them in batches (the decision path never waits on a write). Each flush
/// is one window: per credential used in it, the store's counters advance and the ledger gets one hash-chained
/// <c>credential.used</c> event (count, first and last use, the distinct sources), in the same transaction, so access
/// can be reconstructed from the chain alone. <see cref="FlushAsync"/> runs periodically and at shutdown.
/// </summary>
internal sealed class CredentialUseRecorder(IMandateStore store, IAuditTrail audit)
{
    /// <summary>At most this many distinct sources are named per credential and window; the event says when there were more.</summary>
    public const int MaxSourcesPerWindow = 16;

    public const string EventType = "credential.used";

    private ConcurrentDictionary<string, PendingUse> pending = new(StringComparer.Ordinal);

    public int PendingCount => pending.Count;

    /// <summary>Counts one use of <paramref name="jti"/> (a credential of <paramref name="subject"/>) from <paramref name="source"/>.</summary>
    public void Record(string jti, string? subject, string? taskId, DateTimeOffset at, string? source)
    {
        ArgumentNullException.ThrowIfNull(jti);
        var use = PendingUse.One(subject, taskId, at, Normalize(source));
        pending.AddOrUpdate(jti, static (_, added) => added, static (_, existing, added) => existing.Merge(added), use);
    }

    /// <summary>Writes every pending use; uses recorded meanwhile wait for the next flush.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (pending.IsEmpty)
        {
            return;
        }

        var batch = Interlocked.Exchange(ref pending, new ConcurrentDictionary<string, PendingUse>(StringComparer.Ordinal));
        try
        {
            var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            var credentials = session.Get<ICredentialRepository>();
            var events = new List<AuditEvent>(batch.Count);
            foreach (var (jti, use) in batch.OrderBy(p => p.Value.First).ThenBy(p => p.Key, StringComparer.Ordinal))
            {
                await credentials.RecordUseAsync(jti, use.Count, use.First, use.Last, use.LastSource, cancellationToken).ConfigureAwait(false);
                events.Add(UsedEvent(jti, use));
            }

            await audit.RecordManyAsync(session, events, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Put the batch back so the next flush retries it: a use must not be lost to a brief store outage.
            foreach (var (jti, use) in batch)
            {
                pending.AddOrUpdate(jti, static (_, returned) => returned, static (_, existing, returned) => returned.Merge(existing), use);
            }

            throw;
        }
    }

    private static AuditEvent UsedEvent(string jti, PendingUse use)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["count"] = use.Count.ToString(CultureInfo.InvariantCulture),
            ["first_used_at"] = AuditCanonicalForm.FormatTime(use.First),
            ["last_used_at"] = AuditCanonicalForm.FormatTime(use.Last),
            ["sources"] = string.Join(' ', use.Sources.Order(StringComparer.Ordinal)),
        };
        if (use.SourcesTruncated)
        {
            details["sources_truncated"] = "true";
        }

        return new AuditEvent
        {
            Type = EventType,
            Actor = "system",
            Subject = use.Subject,
            Action = "use",
            CredentialId = jti,
            TaskId = use.TaskId,
            Details = details,
        };
    }

    // Sources are listed space-separated in the event, so one source never contains a space.
    private static string Normalize(string? source) =>
        string.IsNullOrWhiteSpace(source) ? "unknown" : string.Join('_', source.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    // Immutable, so concurrent recorders merge without locks; the source set is shared until a new source arrives.
    private sealed record PendingUse(string? Subject, string? TaskId, long Count, DateTimeOffset First, DateTimeOffset Last, string LastSource, IReadOnlySet<string> Sources, bool SourcesTruncated)
    {
        public static PendingUse One(string? subject, string? taskId, DateTimeOffset at, string source) =>
            new(subject, taskId, 1, at, at, source, new HashSet<string>(StringComparer.Ordinal) { source }, false);

        /// <summary>This window's uses together with <paramref name="later"/>'s (the later one's last source wins on a tie).</summary>
        public PendingUse Merge(PendingUse later)
        {
            var sources = Sources;
            var truncated = SourcesTruncated || later.SourcesTruncated;
            if (!later.Sources.All(Sources.Contains))
            {
                var union = new HashSet<string>(Sources, StringComparer.Ordinal);
                foreach (var source in later.Sources)
                {
                    if (union.Count < MaxSourcesPerWindow || union.Contains(source))
                    {
                        union.Add(source);
                    }
                    else
                    {
                        truncated = true;
                    }
                }

                sources = union;
            }

            return new PendingUse(
                Subject ?? later.Subject,
                TaskId ?? later.TaskId,
                Count + later.Count,
                First < later.First ? First : later.First,
                Last > later.Last ? Last : later.Last,
                later.Last >= Last ? later.LastSource : LastSource,
                sources,
                truncated);
        }
    }
}
