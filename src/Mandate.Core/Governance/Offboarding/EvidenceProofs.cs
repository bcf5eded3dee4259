using System.Text;
using Mandate.Core.Audit;
using Mandate.Core.Storage;

namespace Mandate.Core.Governance.Offboarding;

/// <summary>
/// Inclusion proofs for many events at once, as <see cref="AuditInclusionProofs.BuildAsync"/> builds one: the events
/// of one checkpoint are read and checked against its signed root once, however many of them the pack cites.
/// </summary>
internal static class EvidenceProofs
{
    public static async Task<IReadOnlyDictionary<long, AuditInclusionProof>> BuildAsync(IMandateStore store, IReadOnlyCollection<long> sequences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sequences);
        var proofs = new Dictionary<long, AuditInclusionProof>();
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IAuditRepository>();
        var keys = await repository.GetPublicKeysAsync(cancellationToken).ConfigureAwait(false);
        var pending = new SortedSet<long>(sequences);
        while (pending.Count > 0)
        {
            var first = pending.Min;
            var checkpoint = await repository.GetCheckpointCoveringAsync(first, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Ledger event {first} is not covered by a signed checkpoint.");
            var wanted = pending.GetViewBetween(checkpoint.FromSequence, checkpoint.ToSequence).ToList();
            var leaves = new List<byte[]>((int)Math.Min(checkpoint.TreeSize, 1_000_000));
            var records = new Dictionary<long, StoredAuditRecord>();
            var wantedSet = wanted.ToHashSet();
            await foreach (var record in repository.ReadRangeAsync(checkpoint.FromSequence, checkpoint.ToSequence, cancellationToken).ConfigureAwait(false))
            {
                leaves.Add(AuditHashing.LeafHash(Encoding.UTF8.GetBytes(record.CanonicalJson)));
                if (wantedSet.Contains(record.Sequence))
                {
                    records[record.Sequence] = record;
                }
            }

            var builder = new MerkleTreeBuilder();
            leaves.ForEach(builder.AddLeafHash);
            if (leaves.Count != checkpoint.TreeSize || !builder.RootHash().AsSpan().SequenceEqual(Convert.FromHexString(checkpoint.RootHash)) || records.Count != wanted.Count)
            {
                throw new AuditChainBrokenException(
                    $"The stored events {checkpoint.FromSequence}..{checkpoint.ToSequence} no longer match their signed checkpoint; no evidence was produced. Run 'mandate audit verify' for details.");
            }

            var checkpointKeys = keys.Where(k => k.KeyId == checkpoint.KeyId).ToList();
            foreach (var sequence in wanted)
            {
                var record = records[sequence];
                var path = MerkleInclusion.AuditPath(leaves, (int)(sequence - checkpoint.FromSequence)).Select(Convert.ToHexStringLower).ToList();
                proofs[sequence] = new AuditInclusionProof(sequence, record.CanonicalJson, record.PreviousHash, record.Hash, path, checkpoint, checkpointKeys);
                pending.Remove(sequence);
            }
        }

        return proofs;
    }
}
