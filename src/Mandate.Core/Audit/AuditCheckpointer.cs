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
    /// <summary>The new checkpoint, or null when every event is already covered (or another signer covered them meanwhile).</summary>
    public async Task<AuditCheckpoint?> CheckpointAsync(CancellationToken cancellationToken)
    {
        var (publicKey, privateKey) = await keys.CurrentAsync(cancellationToken).ConfigureAwait(false);

        // The range is verified in a read transaction, not under the write lock: on SQLite every writer (the decision
        // ledger's among them) waited while a thousand events were read and hashed. Committed events are a prefix of the
        // chain (appends take the chain lock and commit in order) and never change unless tampered with; what is signed
        // is what was verified, so a later change is exposed by the signature, not blessed by it.
        AuditCheckpoint? last;
        (long Sequence, string Hash) head;
        long from;
        string root;
        var read = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (read.ConfigureAwait(false))
        {
            var repository = read.Get<IAuditRepository>();
            last = await repository.GetLastCheckpointAsync(cancellationToken).ConfigureAwait(false);
            from = (last?.ToSequence ?? 0) + 1;
            if (await repository.GetHeadAsync(cancellationToken).ConfigureAwait(false) is not { } current || current.Sequence < from)
            {
                return null;
            }

            head = current;
            root = await VerifyRangeAsync(repository, from, head.Sequence, last?.ChainHash, cancellationToken).ConfigureAwait(false);
        }

        var checkpointTime = time.GetUtcNow();
        checkpointTime = DateTimeOffset.FromUnixTimeMilliseconds(checkpointTime.ToUnixTimeMilliseconds());
        var input = AuditCheckpoint.SigningInput(from, head.Sequence, root, head.Hash, checkpointTime, publicKey.KeyId, publicKey.Algorithm);
        var signature = Base64UrlEncoder.Encode(privateKey.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        var checkpoint = new AuditCheckpoint(from, head.Sequence, root, head.Hash, checkpointTime, publicKey.KeyId, publicKey.Algorithm, signature);
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var repository = session.Get<IAuditRepository>();

            // Checkpoints follow one another without overlap: one signed meanwhile (by a node that led before this one)
            // covers the range already, and the next round starts after it. The chain lock makes the check and the insert
            // one step for concurrent signers (on PostgreSQL; SQLite has one writer at a time), held only for these two
            // statements and the commit, where it was held for the whole verification before.
            await repository.GetHeadForAppendAsync(cancellationToken).ConfigureAwait(false);
            if ((await repository.GetLastCheckpointAsync(cancellationToken).ConfigureAwait(false))?.ToSequence != last?.ToSequence)
            {
                return null;
            }

            await repository.AddCheckpointAsync(checkpoint, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        signal.Reset(checkpoint.TreeSize);
        return checkpoint;
    }

    /// <summary>
    /// The Merkle root over events <paramref name="from"/> to <paramref name="to"/>, each checked against the chain first
    /// (its position, the hash before it, its own hash); a broken or incomplete range throws.
    /// </summary>
    private async Task<string> VerifyRangeAsync(IAuditRepository repository, long from, long to, string? previousHash, CancellationToken cancellationToken)
    {
        var tree = new MerkleTreeBuilder();
        var expected = from;

        // The range is read as verification reads (AuditRowBatch: no record, string or array per event); a row the
        // batch check cannot vouch for is checked the one-record way, which decides exactly as before.
        var batch = Interlocked.Exchange(ref spareBatch, null) ?? new AuditRowBatch(BatchCapacity);
        try
        {
            var cursor = await repository.OpenRowCursorAsync(from, cancellationToken).ConfigureAwait(false);
            await using (cursor.ConfigureAwait(false))
            {
                while (expected <= to && await cursor.ReadAsync(batch, cancellationToken).ConfigureAwait(false))
                {
                    batch.Check();
                    for (var row = 0; row < batch.Count && expected <= to; row++)
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

        if (expected != to + 1)
        {
            throw new AuditChainBrokenException($"The audit chain has a gap before event {to}; no checkpoint was signed.");
        }

        return Convert.ToHexStringLower(tree.RootHash());
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
