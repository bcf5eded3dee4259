using System.Buffers;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit.Canonical;

namespace Mandate.Core.Audit;

/// <summary>
/// Verifies a chain fed in order, one event or checkpoint at a time, in constant memory: sequence continuity, each
/// body's canonical form (or, for a store row, the body rebuilt from every stored field), each link and hash, and each checkpoint's Merkle
/// root, chain hash and ES256 signature. It stops at the first problem and names its position.
/// </summary>
internal sealed class AuditChainVerifier
{
    private readonly Dictionary<string, AuditPublicKey> keys;
    private readonly List<string> notes = [];
    private MerkleTreeBuilder segment = new();
    private long? segmentStart;
    private long lastCheckpointTo;
    private long? firstSequence;
    private long? lastSequence;
    private string? headHash;

    /// <summary>The head as the stored bytes of the last event linked from a batch (<see cref="headHash"/> is then
    /// stale): a batch walk turns it into text only where text is compared (a checkpoint, the result).</summary>
    private readonly byte[] headBytes = new byte[System.Security.Cryptography.SHA256.HashSizeInBytes];
    private bool headInBytes;
    private long events;
    private long checkpoints;

    /// <summary><paramref name="keys"/> may have signed checkpoints; <paramref name="anchorHash"/> precedes the first
    /// event, expected at <paramref name="firstSequence"/> (genesis and 1 for a whole chain; null takes the hash the
    /// store holds before the first event fed, which a checkpoint covering that event then vouches for).</summary>
    public AuditChainVerifier(IEnumerable<AuditPublicKey> keys, string? anchorHash = AuditHashing.GenesisHash, long firstSequence = 1)
    {
        this.keys = keys.GroupBy(k => k.KeyId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        HeadHash = anchorHash;
        ExpectedNext = firstSequence;
        lastCheckpointTo = firstSequence - 1;
    }

    public AuditVerificationFailure? Failure { get; private set; }

    public long ExpectedNext { get; private set; }

    public long? LastSequence => lastSequence;

    public void Note(string note) => notes.Add(note);

    /// <summary>An event as stored: the body text must already be canonical.</summary>
    public bool AddStored(StoredAuditRecord record, string position) => AddPrepared(Prepare(record), position);

    /// <summary>
    /// Everything about one stored event that does not depend on the events before it: its body (rebuilt from a store
    /// row, or for a body given as text its JSON and canonical form and its parse), its hash over the hash stored before
    /// it, and its Merkle leaf. Pure, so a verifier may prepare many events in parallel and then feed them in order to
    /// <see cref="AddPrepared(PreparedAuditRecord)"/>, which checks what links them (sequence, the hash before against the verified hash of
    /// the event before, checkpoints): the same checks, in the same order per event, as <see cref="AddStored"/>.
    /// </summary>
    public static PreparedAuditRecord Prepare(StoredAuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.RowFailure is { } rowFailure)
        {
            return new PreparedAuditRecord(record) { StoredFailure = rowFailure };
        }

        if (record.Row is { } row)
        {
            return PrepareRow(record, row);
        }

        // Parsed from the very bytes that were hashed, so the canonical-form check compares like with like.
        var stored = Encoding.UTF8.GetBytes(record.CanonicalJson);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stored);
        }
        catch (JsonException ex)
        {
            return new PreparedAuditRecord(record) { StoredFailure = $"the stored body is not valid JSON ({ex.Message}): the row was modified" };
        }

        using (document)
        {
            byte[] canonical;
            try
            {
                canonical = JsonCanonicalizer.Canonicalize(document.RootElement);
            }
            catch (JsonCanonicalizationException ex)
            {
                return new PreparedAuditRecord(record) { StoredFailure = $"the stored body cannot be canonicalized ({ex.Message}): the row was modified" };
            }

            if (!canonical.AsSpan().SequenceEqual(stored))
            {
                return new PreparedAuditRecord(record) { StoredFailure = "the stored body is not in RFC 8785 canonical form: the row was modified" };
            }

            return PrepareBody(record.Sequence, canonical, document.RootElement, record.PreviousHash, record.Hash, record);
        }
    }

    /// <summary>
    /// A store row: the body is rebuilt from its fields (canonical by construction, and the sequence is the row's own),
    /// so what is left is the hash over the rebuilt bytes. Every field, a lookup entry included, is in those bytes: an
    /// edit anywhere changes the hash.
    /// </summary>
    private static PreparedAuditRecord PrepareRow(StoredAuditRecord record, AuditRow row)
    {
        var buffer = RowBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        if (AuditCanonicalForm.TryWrite(row, buffer) is { } failure)
        {
            return new PreparedAuditRecord(record) { StoredFailure = failure };
        }

        var body = buffer.WrittenSpan;
        Span<byte> hash = stackalloc byte[32];
        AuditHashing.ChainHash(record.PreviousHash, body, hash);
        Span<byte> stored = stackalloc byte[32];
        var hashMatches = record.Hash.Length == 64
            && Convert.FromHexString(record.Hash, stored, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == 32
            && hash.SequenceEqual(stored);
        return new PreparedAuditRecord(record)
        {
            BodySequence = row.Sequence,
            HashMatches = hashMatches,
            LeafHash = AuditHashing.LeafHash(body),
        };
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? RowBuffer;

    /// <summary>Feeds an event prepared by <see cref="Prepare"/>; events must come in order.</summary>
    public bool AddPrepared(PreparedAuditRecord prepared, string? position)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (Failure is not null)
        {
            return false;
        }

        return prepared.StoredFailure is { } failure ? Fail(position ?? EventPosition(prepared.Record.Sequence), prepared.Record.Sequence, failure) : Link(prepared, position);
    }

    /// <summary>Feeds an event prepared by <see cref="Prepare"/>, positioned as "event N" (the label is built only for a
    /// failure: this runs once per event of a whole-chain walk).</summary>
    public bool AddPrepared(PreparedAuditRecord prepared) => AddPrepared(prepared, null);

    private static string EventPosition(long sequence) => "event " + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An event from an export: its body is any JSON serialization of the object; it is re-canonicalized.</summary>
    public bool AddExported(long sequence, JsonElement body, string previousHash, string hash, string position)
    {
        if (Failure is not null)
        {
            return false;
        }

        byte[] canonical;
        try
        {
            canonical = JsonCanonicalizer.Canonicalize(body);
        }
        catch (JsonCanonicalizationException ex)
        {
            return Fail(position, sequence, $"the event body cannot be canonicalized: {ex.Message}");
        }

        return Link(PrepareBody(sequence, canonical, body, previousHash, hash, null), position);
    }

    public bool AddCheckpoint(AuditCheckpoint checkpoint, string position)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (Failure is not null)
        {
            return false;
        }

        if (!keys.TryGetValue(checkpoint.KeyId, out var key))
        {
            return Fail(position, checkpoint.ToSequence, $"the checkpoint is signed by key '{checkpoint.KeyId}', which is not among the trusted keys ({string.Join(", ", keys.Keys)})");
        }

        if (checkpoint.Algorithm != AuditPublicKey.Es256 || !key.Verify(checkpoint.SigningInput(), checkpoint.Signature))
        {
            return Fail(position, checkpoint.ToSequence, "the checkpoint's signature does not verify: the checkpoint was altered or forged");
        }

        if (checkpoint.FromSequence > checkpoint.ToSequence)
        {
            return Fail(position, checkpoint.ToSequence, "the checkpoint's range is empty");
        }

        if (lastSequence != checkpoint.ToSequence)
        {
            return Fail(position, checkpoint.ToSequence, lastSequence is null || checkpoint.ToSequence > lastSequence
                ? $"the checkpoint covers events up to {checkpoint.ToSequence}, but the chain ends at {lastSequence?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}: signed events were deleted"
                : $"the checkpoint covers events up to {checkpoint.ToSequence} but follows event {lastSequence}: checkpoints are out of order");
        }

        if (checkpoint.ChainHash != HeadHash)
        {
            return Fail(position, checkpoint.ToSequence, $"the chain hash after event {checkpoint.ToSequence} differs from the signed one: events up to it were modified and the chain rehashed");
        }

        if (checkpoint.FromSequence == segmentStart)
        {
            var root = Convert.ToHexStringLower(segment.RootHash());
            if (root != checkpoint.RootHash)
            {
                return Fail(position, checkpoint.ToSequence, $"the Merkle root of events {checkpoint.FromSequence}..{checkpoint.ToSequence} differs from the signed one: an event in that range was modified, inserted or deleted");
            }
        }
        else if (checkpoint.FromSequence < (segmentStart ?? long.MaxValue) && checkpoint.FromSequence < (firstSequence ?? long.MaxValue))
        {
            notes.Add($"checkpoint {checkpoint.FromSequence}..{checkpoint.ToSequence} starts before the first event present ({firstSequence}); its signature and chain hash verified, its Merkle root could not be recomputed");
        }
        else
        {
            return Fail(position, checkpoint.ToSequence, $"the checkpoint starts at event {checkpoint.FromSequence}, but events {segmentStart}..{checkpoint.FromSequence - 1} are covered by no checkpoint: a checkpoint was deleted");
        }

        checkpoints++;
        lastCheckpointTo = checkpoint.ToSequence;
        segment = new MerkleTreeBuilder();
        segmentStart = null;
        return true;
    }

    public AuditVerificationResult Complete()
    {
        var verified = Failure is null;
        return new AuditVerificationResult(
            verified,
            events,
            checkpoints,
            firstSequence,
            lastSequence,
            lastSequence is null ? null : HeadHash,
            lastSequence is null ? 0 : Math.Max(0, lastSequence.Value - lastCheckpointTo),
            Failure,
            notes,
            [.. keys.Keys]);
    }

    public bool Fail(string position, long? sequence, string reason) => Fail(new AuditVerificationFailure(position, sequence, reason));

    /// <summary>Records <paramref name="failure"/> unless an earlier one is recorded; always false.</summary>
    public bool Fail(AuditVerificationFailure failure)
    {
        Failure ??= failure;
        return false;
    }

    private static PreparedAuditRecord PrepareBody(long sequence, byte[] canonical, JsonElement body, string previousHash, string hash, StoredAuditRecord? record)
    {
        var prepared = new PreparedAuditRecord(record ?? new StoredAuditRecord(sequence, string.Empty, previousHash, hash))
        {
            LeafHash = AuditHashing.LeafHash(canonical),
        };
        long bodySequence;
        try
        {
            (bodySequence, _, _) = AuditCanonicalForm.Parse(body);
        }
        catch (FormatException ex)
        {
            return prepared with { BodyFailure = $"{ex.Message}: the event was modified" };
        }

        return prepared with
        {
            BodySequence = bodySequence,
            HashMatches = AuditHashing.ChainHash(previousHash, canonical) == hash,
        };
    }

    private bool Link(PreparedAuditRecord prepared, string? position)
    {
        var sequence = prepared.Record.Sequence;
        if (sequence != ExpectedNext)
        {
            return OutOfSequence(sequence, position);
        }

        if (prepared.BodyFailure is { } bodyFailure)
        {
            return Fail(position ?? EventPosition(sequence), sequence, bodyFailure);
        }

        if (prepared.BodySequence != sequence)
        {
            return Fail(position ?? EventPosition(sequence), sequence, $"the body says it is event {prepared.BodySequence} but it sits at position {sequence}: events were reordered or one was inserted");
        }

        if (!LinksToHead(prepared.Record.PreviousHash, sequence, position))
        {
            return false;
        }

        if (!prepared.HashMatches)
        {
            return Fail(position ?? EventPosition(sequence), sequence, "the event's hash does not match its content: the event was modified");
        }

        firstSequence ??= sequence;
        segmentStart ??= sequence;
        segment.AddLeafHash(prepared.LeafHash!);
        lastSequence = sequence;
        HeadHash = prepared.Record.Hash;
        ExpectedNext = sequence + 1;
        events++;
        return true;
    }

    private bool OutOfSequence(long sequence, string? position) => sequence > ExpectedNext
        ? Fail(position ?? EventPosition(sequence), sequence, ExpectedNext == sequence - 1
            ? $"event {ExpectedNext} is missing (deleted): found event {sequence}"
            : $"events {ExpectedNext}..{sequence - 1} are missing (deleted): found event {sequence}")
        : Fail(position ?? EventPosition(sequence), sequence, $"event {sequence} appears where event {ExpectedNext} belongs: events were reordered or one was inserted");

    /// <summary>The hash stored before the event is the verified head (the first event of a walk from a checkpoint
    /// takes it as the head, to be vouched for by the checkpoint's signed chain hash).</summary>
    private bool LinksToHead(string previousHash, long sequence, string? position)
    {
        if (HeadHash is null && firstSequence is null)
        {
            if (previousHash.Length == 0)
            {
                return Fail(position ?? EventPosition(sequence), sequence, $"event {sequence - 1}, before event {sequence}, is missing (deleted)");
            }

            HeadHash = previousHash;
        }

        return previousHash == HeadHash || Fail(position ?? EventPosition(sequence), sequence, sequence == 1 && firstSequence is null
            ? "the first event does not link to the start of the chain: an event was inserted or deleted before it"
            : $"the event does not link to its predecessor (prev_hash differs from the hash of event {sequence - 1}): an event was inserted, deleted or modified before it");
    }

    private string? HeadHash
    {
        get
        {
            if (headInBytes)
            {
                headHash = Convert.ToHexStringLower(headBytes);
                headInBytes = false;
            }

            return headHash;
        }

        set
        {
            headHash = value;
            headInBytes = false;
        }
    }

    /// <summary>
    /// Feeds row <paramref name="row"/> of a batch that <see cref="AuditRowBatch.Check"/> has checked; rows must come in
    /// order. A row the batch check vouched for is linked here with the checks of <see cref="Link"/> in the same order
    /// (its body sequence is its own and its hash matches, by construction); any other row goes through
    /// <see cref="Prepare"/> as the record the one-row read returns, so it fails, or passes, exactly as it always did.
    /// </summary>
    public bool AddBatchRow(AuditRowBatch batch, int row)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (Failure is not null)
        {
            return false;
        }

        if (!batch.Vouched(row))
        {
            return AddPrepared(Prepare(batch.ToStoredRecord(row)));
        }

        var sequence = batch.Sequence(row);
        if (sequence != ExpectedNext)
        {
            return OutOfSequence(sequence, null);
        }

        // Within a batch the hash before a row is the stored hash of the row before it, which the last link made the
        // head: compared as bytes. The first row of a batch (or after a row linked the one-row way) compares as text.
        var linked = row > 0 && headInBytes
            ? batch.StoredHash(row - 1).SequenceEqual(headBytes) || LinksToHead(batch.PreviousHash(row), sequence, null)
            : LinksToHead(batch.PreviousHash(row), sequence, null);
        if (!linked)
        {
            return false;
        }

        firstSequence ??= sequence;
        segmentStart ??= sequence;
        segment.AddLeafHash(batch.LeafHash(row).ToArray());
        lastSequence = sequence;
        batch.StoredHash(row).CopyTo(headBytes);
        headInBytes = true;
        ExpectedNext = sequence + 1;
        events++;
        return true;
    }
}
