using System.Globalization;
using Mandate.Core.Storage;

namespace Mandate.Core.Audit;

/// <summary>Verifies the whole chain held by a store, with its checkpoints.</summary>
internal static class AuditStoreVerifier
{
    private const int ProgressEvery = 4096;

    /// <summary>Reads the chain in one read transaction. <paramref name="pinnedKeys"/>, when given, are the only keys
    /// trusted for checkpoints; otherwise the store's own public keys are. <paramref name="progress"/>, when given,
    /// is told every few thousand events the last sequence verified (a progress bar's value).</summary>
    public static async Task<AuditVerificationResult> VerifyAsync(
        IMandateStore store, IReadOnlyList<AuditPublicKey>? pinnedKeys, CancellationToken cancellationToken, Action<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IAuditRepository>();
        // Checkpoints first: a checkpoint read before the events can never cover an event the event scan misses.
        var checkpoints = await repository.ReadCheckpointsAsync(cancellationToken).ConfigureAwait(false);
        var keys = pinnedKeys ?? await repository.GetPublicKeysAsync(cancellationToken).ConfigureAwait(false);
        var verifier = new AuditChainVerifier(keys);
        if (pinnedKeys is null && checkpoints.Count > 0)
        {
            verifier.Note("checkpoint keys were taken from the store itself; pin them with --key for an independent check");
        }

        var next = 0;
        var last = 0L;
        await foreach (var record in repository.ReadAsync(1, cancellationToken).ConfigureAwait(false))
        {
            last = record.Sequence;
            if (progress is not null && record.Sequence % ProgressEvery == 0)
            {
                progress(record.Sequence);
            }

            if (!verifier.AddStored(record, "event " + record.Sequence.ToString(CultureInfo.InvariantCulture)))
            {
                return verifier.Complete();
            }

            while (next < checkpoints.Count && checkpoints[next].ToSequence <= record.Sequence)
            {
                var checkpoint = checkpoints[next++];
                if (!verifier.AddCheckpoint(checkpoint, $"checkpoint {checkpoint.FromSequence}..{checkpoint.ToSequence}"))
                {
                    return verifier.Complete();
                }
            }
        }

        progress?.Invoke(last);
        if (next < checkpoints.Count)
        {
            var checkpoint = checkpoints[next];
            verifier.AddCheckpoint(checkpoint, $"checkpoint {checkpoint.FromSequence}..{checkpoint.ToSequence}");
        }

        return verifier.Complete();
    }

    /// <summary>The sequence of the chain's head (0 when empty): the total a progress bar counts to.</summary>
    public static async Task<long> HeadSequenceAsync(IMandateStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IAuditRepository>().GetHeadAsync(cancellationToken).ConfigureAwait(false) is { } head ? head.Sequence : 0;
    }
}
