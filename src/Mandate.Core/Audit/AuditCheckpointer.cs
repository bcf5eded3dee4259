using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Storage;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Audit;

/// <summary>
/// Signs a checkpoint over the events appended since the last one. It re-checks the chain of that range first: a
/// broken chain is never signed (that would bless a tampered record), it is reported instead.
/// </summary>
internal sealed class AuditCheckpointer(IMandateStore store, AuditSigningKeys keys, TimeProvider time, AuditCheckpointSignal signal)
{
    /// <summary>The new checkpoint, or null when every event is already covered.</summary>
    public async Task<AuditCheckpoint?> CheckpointAsync(CancellationToken cancellationToken)
    {
        var (publicKey, privateKey) = await keys.CurrentAsync(cancellationToken).ConfigureAwait(false);
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IAuditRepository>();
        var head = await repository.GetHeadForAppendAsync(cancellationToken).ConfigureAwait(false);
        var last = await repository.GetLastCheckpointAsync(cancellationToken).ConfigureAwait(false);
        var from = (last?.ToSequence ?? 0) + 1;
        if (head is null || head.Sequence < from)
        {
            return null;
        }

        var tree = new MerkleTreeBuilder();
        var expected = from;
        string? previousHash = last?.ChainHash;
        await foreach (var record in repository.ReadRangeAsync(from, head.Sequence, cancellationToken).ConfigureAwait(false))
        {
            byte[] body;
            try
            {
                body = Encoding.UTF8.GetBytes(record.CanonicalJson);
            }
            catch (FormatException)
            {
                // A row that cannot be rebuilt was modified: the same refusal as a hash that does not match.
                body = [];
            }

            if (body.Length == 0
                || record.Sequence != expected
                || (previousHash is not null && record.PreviousHash != previousHash)
                || AuditHashing.ChainHash(record.PreviousHash, body) != record.Hash)
            {
                throw new AuditChainBrokenException($"The audit chain does not verify at event {record.Sequence}; no checkpoint was signed. Run 'mandate audit verify' for details.");
            }

            tree.AddLeaf(body);
            previousHash = record.Hash;
            expected++;
        }

        if (expected != head.Sequence + 1)
        {
            throw new AuditChainBrokenException($"The audit chain has a gap before event {head.Sequence}; no checkpoint was signed.");
        }

        var checkpointTime = time.GetUtcNow();
        checkpointTime = DateTimeOffset.FromUnixTimeMilliseconds(checkpointTime.ToUnixTimeMilliseconds());
        var root = Convert.ToHexStringLower(tree.RootHash());
        var input = AuditCheckpoint.SigningInput(from, head.Sequence, root, head.Hash, checkpointTime, publicKey.KeyId, publicKey.Algorithm);
        var signature = Base64UrlEncoder.Encode(privateKey.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        var checkpoint = new AuditCheckpoint(from, head.Sequence, root, head.Hash, checkpointTime, publicKey.KeyId, publicKey.Algorithm, signature);
        await repository.AddCheckpointAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        signal.Reset(checkpoint.TreeSize);
        return checkpoint;
    }
}
