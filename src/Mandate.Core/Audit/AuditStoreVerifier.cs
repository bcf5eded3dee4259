using System.Globalization;
using Mandate.Core.Storage;

namespace Mandate.Core.Audit;

/// <summary>Verifies the chain held by a store, with its checkpoints: whole, or from its last signed checkpoint.</summary>
internal static class AuditStoreVerifier
{
    private const int ProgressEvery = 4096;
    private const int ChunkSize = 1024;

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

        return await WalkAsync(repository, verifier, 1, checkpoints, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Verifies the chain from the start of its last signed checkpoint to its head: that checkpoint's signature (with
    /// the store's keys), Merkle root and chain hash, and every event after it. Anchored in the signature: the events
    /// before are vouched for by the checkpoint's chain hash (the stored hash before its first event is where the
    /// recomputed chain starts, so a forged one fails at the checkpoint), and are left to <see cref="VerifyAsync"/>.
    /// Null when the chain has no checkpoint yet (then only the whole walk can tell).
    /// </summary>
    public static async Task<AuditVerificationResult?> VerifyFromLastCheckpointAsync(IMandateStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IAuditRepository>();
        if (await repository.GetLastCheckpointAsync(cancellationToken).ConfigureAwait(false) is not { } checkpoint)
        {
            return null;
        }

        var keys = await repository.GetPublicKeysAsync(cancellationToken).ConfigureAwait(false);
        var verifier = new AuditChainVerifier(keys, anchorHash: null, checkpoint.FromSequence);
        verifier.Note($"verified from the last signed checkpoint ({checkpoint.FromSequence}..{checkpoint.ToSequence}) to the head; the events before it are vouched for by its signed chain hash");
        return await WalkAsync(repository, verifier, checkpoint.FromSequence, [checkpoint], null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The sequence of the chain's head (0 when empty): the total a progress bar counts to.</summary>
    public static async Task<long> HeadSequenceAsync(IMandateStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IAuditRepository>().GetHeadAsync(cancellationToken).ConfigureAwait(false) is { } head ? head.Sequence : 0;
    }

    /// <summary>
    /// The one walk both entry points share. The rows come from the store in batches (<see cref="AuditRowBatch"/>);
    /// each batch's own checks (every body rebuilt from its row and hashed over the hash stored before it, its Merkle
    /// leaf) run on the other cores while the next batch is read; what links the events (sequence, the hash before,
    /// checkpoints) is then checked in order, exactly as one event at a time would. A checkpoint is fed after the event
    /// it ends at; one that ends beyond the head is fed last (and fails there).
    /// </summary>
    private static async Task<AuditVerificationResult> WalkAsync(
        IAuditRepository repository,
        AuditChainVerifier verifier,
        long fromSequence,
        IReadOnlyList<AuditCheckpoint> checkpoints,
        Action<long>? progress,
        CancellationToken cancellationToken)
    {
        var next = 0;
        var last = 0L;
        bool Link(AuditRowBatch batch)
        {
            for (var row = 0; row < batch.Count; row++)
            {
                var sequence = batch.Sequence(row);
                last = sequence;
                if (progress is not null && sequence % ProgressEvery == 0)
                {
                    progress(sequence);
                }

                if (!verifier.AddBatchRow(batch, row))
                {
                    return false;
                }

                while (next < checkpoints.Count && checkpoints[next].ToSequence <= sequence)
                {
                    var checkpoint = checkpoints[next++];
                    if (!verifier.AddCheckpoint(checkpoint, CheckpointPosition(checkpoint)))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        // Two batches in turn: one is read while the other is checked, then linked.
        var batches = new[] { new AuditRowBatch(ChunkSize), new AuditRowBatch(ChunkSize) };
        var current = 0;
        AuditRowBatch? checking = null;
        Task[]? check = null;
        var cursor = await repository.OpenRowCursorAsync(fromSequence, cancellationToken).ConfigureAwait(false);
        await using (cursor.ConfigureAwait(false))
        {
            while (true)
            {
                var batch = batches[current];
                var read = await cursor.ReadAsync(batch, cancellationToken).ConfigureAwait(false);
                if (check is not null)
                {
                    // The reader is done with its batch: it checks what the checkers have not taken yet, then links.
                    checking!.CheckRanges();
                    await Task.WhenAll(check).ConfigureAwait(false);
                    if (!Link(checking))
                    {
                        return verifier.Complete();
                    }
                }

                if (!read)
                {
                    break;
                }

                checking = batch;
                batch.BeginCheck();
                check = new Task[Checkers];
                for (var i = 0; i < check.Length; i++)
                {
                    check[i] = Task.Run(batch.CheckRanges, cancellationToken);
                }

                current ^= 1;
            }
        }

        if (last == 0 && fromSequence > 1 && checkpoints.Count > 0)
        {
            // Not one event from where the checkpoint starts: the events it signs were deleted.
            verifier.Fail(CheckpointPosition(checkpoints[0]), fromSequence, $"event {fromSequence}, where the last signed checkpoint starts, is missing (deleted)");
            return verifier.Complete();
        }

        progress?.Invoke(last);
        if (next < checkpoints.Count)
        {
            verifier.AddCheckpoint(checkpoints[next], CheckpointPosition(checkpoints[next]));
        }

        return verifier.Complete();
    }

    /// <summary>
    /// Checkers beside the thread that reads and links (which checks too once its batch is read): with a checker on
    /// every core, the reader and the checkers took turns on the same cores and the walk got slower.
    /// </summary>
    private static readonly int Checkers = Math.Max(1, Environment.ProcessorCount - 1);

    private static string CheckpointPosition(AuditCheckpoint checkpoint) => $"checkpoint {checkpoint.FromSequence}..{checkpoint.ToSequence}";
}
