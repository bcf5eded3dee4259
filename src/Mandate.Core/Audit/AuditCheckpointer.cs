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

        // The range is read as verification reads (AuditRowBatch: no record, string or array per event); a row the
        // batch check cannot vouch for is checked the one-record way, which decides exactly as before.
        var batch = Interlocked.Exchange(ref spareBatch, null) ?? new AuditRowBatch(BatchCapacity);
        try
        {
            var cursor = await repository.OpenRowCursorAsync(from, cancellationToken).ConfigureAwait(false);
            await using (cursor.ConfigureAwait(false))
            {
                while (expected <= head.Sequence && await cursor.ReadAsync(batch, cancellationToken).ConfigureAwait(false))
                {
                    batch.Check();
                    for (var row = 0; row < batch.Count && expected <= head.Sequence; row++)
                    {
                        if (!batch.Vouched(row))
                        {
                            // Within a batch the hash before a row is the stored hash of the row before it, which the
                            // previous step linked; only a batch's first row is compared with what came before.
                            var record = batch.ToStoredRecord(row);
                            tree.AddLeaf(CheckRecord(record, expected, row == 0 ? previousHash : record.PreviousHash));
                        }
                        else
                        {
                            if (batch.Sequence(row) != expected || (row == 0 && previousHash is not null && batch.PreviousHash(0) != previousHash))
                            {
                                throw Broken(batch.Sequence(row));
                            }

                            tree.AddLeafHash(batch.LeafHash(row).ToArray());
                        }

                        expected++;
                    }

                    previousHash = batch.Count > 0 ? Convert.ToHexStringLower(batch.StoredHash(batch.Count - 1)) : previousHash;
                }
            }
        }
        finally
        {
            batch.Clear();
            spareBatch = batch;
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

    /// <summary>Rows read at a time; one batch is kept for the next checkpoint (a checkpoint runs every thousand events).</summary>
    private const int BatchCapacity = 256;

    private AuditRowBatch? spareBatch;

    /// <summary>The one-record check (the body rebuilt from the row, the position, the hash before, the chain hash); its body, the Merkle leaf's data.</summary>
    private static byte[] CheckRecord(StoredAuditRecord record, long expected, string? previousHash)
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
            throw Broken(record.Sequence);
        }

        return body;
    }

    private static AuditChainBrokenException Broken(long sequence) =>
        new($"The audit chain does not verify at event {sequence}; no checkpoint was signed. Run 'mandate audit verify' for details.");
}
