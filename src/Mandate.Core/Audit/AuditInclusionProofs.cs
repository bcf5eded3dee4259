using System.Globalization;
using System.Text;
using Mandate.Core.Storage;

namespace Mandate.Core.Audit;

/// <summary>Builds inclusion proofs from a store and checks them offline.</summary>
internal static class AuditInclusionProofs
{
    /// <summary>
    /// The proof for event <paramref name="sequence"/>, or why there is none: the event does not exist, or no signed
    /// checkpoint covers it yet. Throws <see cref="AuditChainBrokenException"/> when the stored range no longer matches
    /// its signed root (the store was tampered with: no proof can be honest).
    /// </summary>
    public static async Task<(AuditInclusionProof? Proof, AuditProofUnavailable? Unavailable)> BuildAsync(IMandateStore store, long sequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IAuditRepository>();
        var head = await repository.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        if (sequence < 1 || head is null || sequence > head.Value.Sequence)
        {
            return (null, AuditProofUnavailable.NoSuchEvent);
        }

        var checkpoint = await repository.GetCheckpointCoveringAsync(sequence, cancellationToken).ConfigureAwait(false);
        if (checkpoint is null)
        {
            return (null, AuditProofUnavailable.NotCheckpointed);
        }

        var leaves = new List<byte[]>((int)Math.Min(checkpoint.TreeSize, 1_000_000));
        StoredAuditRecord? target = null;
        await foreach (var record in repository.ReadRangeAsync(checkpoint.FromSequence, checkpoint.ToSequence, cancellationToken).ConfigureAwait(false))
        {
            string body;
            try
            {
                body = record.CanonicalJson;
            }
            catch (FormatException)
            {
                // The row cannot be rebuilt: it was modified, so the range cannot match its signed root either.
                target = null;
                break;
            }

            leaves.Add(AuditHashing.LeafHash(Encoding.UTF8.GetBytes(body)));
            if (record.Sequence == sequence)
            {
                target = record;
            }
        }

        var root = Convert.FromHexString(checkpoint.RootHash);
        var builder = new MerkleTreeBuilder();
        leaves.ForEach(builder.AddLeafHash);
        if (target is null || leaves.Count != checkpoint.TreeSize || !builder.RootHash().AsSpan().SequenceEqual(root))
        {
            throw new AuditChainBrokenException(
                $"The stored events {checkpoint.FromSequence.ToString(CultureInfo.InvariantCulture)}..{checkpoint.ToSequence.ToString(CultureInfo.InvariantCulture)} no longer match their signed checkpoint; no proof was produced. Run 'mandate audit verify' for details.");
        }

        var path = MerkleInclusion.AuditPath(leaves, (int)(sequence - checkpoint.FromSequence)).Select(Convert.ToHexStringLower).ToList();
        var keys = (await repository.GetPublicKeysAsync(cancellationToken).ConfigureAwait(false)).Where(k => k.KeyId == checkpoint.KeyId).ToList();
        return (new AuditInclusionProof(sequence, target.CanonicalJson, target.PreviousHash, target.Hash, path, checkpoint, keys), null);
    }

    /// <summary>
    /// Checks a proof with nothing but keys: the body is the event it claims to be, hashes onto its predecessor as
    /// recorded, folds along the audit path into the checkpoint's root, and the checkpoint is signed by a trusted key
    /// (<paramref name="pinnedKeys"/>, or the keys in the proof, which is noted as weaker).
    /// </summary>
    public static AuditProofVerification Verify(AuditInclusionProof proof, IReadOnlyList<AuditPublicKey>? pinnedKeys)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var notes = new List<string>();
        var checkpoint = proof.Checkpoint;
        AuditProofVerification Fail(string reason) => new(false, proof.Sequence, reason, notes);

        var canonical = Encoding.UTF8.GetBytes(proof.CanonicalJson);
        long bodySequence;
        try
        {
            using var body = System.Text.Json.JsonDocument.Parse(canonical);
            bodySequence = AuditCanonicalForm.Parse(body.RootElement).Sequence;
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            return Fail("the event is not an audit event body: " + ex.Message);
        }

        if (bodySequence != proof.Sequence)
        {
            return Fail($"the event's body says seq {bodySequence}, the proof says {proof.Sequence}");
        }

        if (proof.Sequence < checkpoint.FromSequence || proof.Sequence > checkpoint.ToSequence)
        {
            return Fail($"the checkpoint covers events {checkpoint.FromSequence}..{checkpoint.ToSequence}, not {proof.Sequence}");
        }

        if (AuditHashing.ChainHash(proof.PreviousHash, canonical) != proof.Hash)
        {
            return Fail("the event's chain hash does not match its body and predecessor: the event was modified");
        }

        if (proof.Sequence == checkpoint.ToSequence && proof.Hash != checkpoint.ChainHash)
        {
            return Fail("the event ends the checkpoint but its hash is not the checkpoint's chain hash");
        }

        byte[] root;
        var path = new List<byte[]>(proof.AuditPath.Count);
        try
        {
            root = Convert.FromHexString(checkpoint.RootHash);
            path.AddRange(proof.AuditPath.Select(Convert.FromHexString));
        }
        catch (FormatException)
        {
            return Fail("the checkpoint root or a node of the audit path is not hexadecimal");
        }

        if (!MerkleInclusion.Verify(AuditHashing.LeafHash(canonical), proof.LeafIndex, checkpoint.TreeSize, path, root))
        {
            return Fail($"the audit path does not lead from the event to the checkpoint's root (events {checkpoint.FromSequence}..{checkpoint.ToSequence}): the event or the path was altered");
        }

        var keys = pinnedKeys ?? proof.Keys;
        if (pinnedKeys is null)
        {
            notes.Add("the checkpoint key was taken from the proof itself; pin it with --key for an independent check");
        }

        var key = keys.FirstOrDefault(k => k.KeyId == checkpoint.KeyId);
        if (key is null)
        {
            return Fail($"the checkpoint is signed with key {checkpoint.KeyId}, which is not among the trusted keys");
        }

        if (checkpoint.Algorithm != AuditPublicKey.Es256 || !key.Verify(checkpoint.SigningInput(), checkpoint.Signature))
        {
            return Fail($"the checkpoint's signature does not verify with key {checkpoint.KeyId}");
        }

        return new AuditProofVerification(true, proof.Sequence, null, notes);
    }
}
