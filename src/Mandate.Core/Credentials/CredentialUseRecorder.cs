using System.Collections.Concurrent;
using Mandate.Core.Storage;

namespace Mandate.Core.Credentials;

/// <summary>
/// Counts credential uses in memory and writes them to the store in batches (the decision path never waits on a
/// write). <see cref="FlushAsync"/> runs periodically and at shutdown.
/// </summary>
internal sealed class CredentialUseRecorder(IMandateStore store)
{
    private ConcurrentDictionary<string, PendingUse> pending = new(StringComparer.Ordinal);

    public int PendingCount => pending.Count;

    public void Record(string jti, DateTimeOffset at, string? source)
    {
        ArgumentNullException.ThrowIfNull(jti);
        pending.AddOrUpdate(
            jti,
            static (_, state) => new PendingUse(1, state.at, state.at, state.source),
            static (_, existing, state) => existing with
            {
                Count = existing.Count + 1,
                First = existing.First < state.at ? existing.First : state.at,
                Last = existing.Last > state.at ? existing.Last : state.at,
                Source = state.source ?? existing.Source,
            },
            (at, source));
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
            foreach (var (jti, use) in batch)
            {
                await credentials.RecordUseAsync(jti, use.Count, use.First, use.Last, use.Source, cancellationToken).ConfigureAwait(false);
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Put the batch back so the next flush retries it: a use must not be lost to a brief store outage.
            foreach (var (jti, use) in batch)
            {
                pending.AddOrUpdate(
                    jti,
                    use,
                    (_, existing) => existing with
                    {
                        Count = existing.Count + use.Count,
                        First = existing.First < use.First ? existing.First : use.First,
                        Last = existing.Last > use.Last ? existing.Last : use.Last,
                    });
            }

            throw;
        }
    }

    private sealed record PendingUse(long Count, DateTimeOffset First, DateTimeOffset Last, string? Source);
}
