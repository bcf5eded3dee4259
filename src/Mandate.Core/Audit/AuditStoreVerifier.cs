using System.Globalization;
using Mandate.Core.Storage;

namespace Mandate.Core.Audit;

/// <summary>Verifies the whole chain held by a store, with its checkpoints.</summary>
internal static class AuditStoreVerifier
{
    /// <summary>Reads the chain in one read transaction. <paramref name="pinnedKeys"/>, when given, are the only keys
    /// trusted for checkpoints; otherwise the store's own public keys are.</summary>
    public static async Task<AuditVerificationResult> VerifyAsync(IMandateStore store, IReadOnlyList<AuditPublicKey>? pinnedKeys, CancellationToken cancellationToken)
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
        await foreach (var record in repository.ReadAsync(1, cancellationToken).ConfigureAwait(false))
        {
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

        if (next < checkpoints.Count)
        {
            var checkpoint = checkpoints[next];
            verifier.AddCheckpoint(checkpoint, $"checkpoint {checkpoint.FromSequence}..{checkpoint.ToSequence}");
        }

        return verifier.Complete();
    }
}
