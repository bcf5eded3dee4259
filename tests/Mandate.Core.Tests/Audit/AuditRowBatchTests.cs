using System.Text;
using Mandate.Core.Audit;

namespace Mandate.Core.Tests.Audit;

/// <summary>
/// The batch check (the whole-chain walk's fast path) against the one-row path it stands in for: it vouches for every
/// intact row, whatever its text holds, with the leaf the one-row path computes, and for no row the one-row path
/// rejects; rows rebuilt from a batch are the records the one-row read returns.
/// </summary>
public sealed class AuditRowBatchTests
{
    private static readonly string[] Texts =
    [
        "plain", "Dataset::\"ds-1\"", "back\\slash", "tab\there", "line\nfeed\r\n", "nul\0and\u001f", "\b\f", "résumé",
        "日本語", "emoji 😀 pair", "mixed \"é\" \u0001 😀", string.Empty, "<script>&amp;'", "\u007f del", "\u2028 sep",
    ];

    [Fact]
    public void Check_ShouldVouchForEveryIntactRow_WithTheOneRowPathsLeaf()
    {
        var random = new Random(21);
        var (batch, records, _) = Build(300, random, new Dictionary<long, AuditLookupEntry>());

        batch.Check();

        for (var row = 0; row < batch.Count; row++)
        {
            Assert.True(batch.Vouched(row), $"row {row}: {records[row].CanonicalJson}");
            var prepared = AuditChainVerifier.Prepare(records[row]);
            Assert.True(prepared.HashMatches);
            Assert.Equal(prepared.LeafHash, batch.LeafHash(row).ToArray());
            var rebuilt = batch.ToStoredRecord(row);
            Assert.Equal(records[row].CanonicalJson, rebuilt.CanonicalJson);
            Assert.Equal(records[row].PreviousHash, rebuilt.PreviousHash);
            Assert.Equal(records[row].Hash, rebuilt.Hash);
        }
    }

    [Fact]
    public void Check_ShouldNotVouch_WhereTheOneRowPathFails_AndTheVerifierShouldSayWhatItAlwaysSaid()
    {
        var tamperings = new (string Name, Action<AuditRowBatch, int> Edit, string Reason)[]
        {
            ("text edited", (b, r) => b.SetText(AuditRowBatch.Reason, "other"u8), "the event was modified"),
            ("text not UTF-8", (b, r) => b.SetText(AuditRowBatch.Resource, new byte[] { 0x41, 0xFF, 0x42 }), "the event was modified"),
            ("lookup edited", (b, r) => b.SetLookup(AuditRowBatch.Actor, new AuditLookupEntry(999, "spiffe://t/evil")), "the event was modified"),
            ("lookup missing", (b, r) => b.SetLookup(AuditRowBatch.Subject, new AuditLookupEntry(998, null)), "entry 998 of audit_strings for its 'subject', which is missing"),
            ("chain respelled", (b, r) => b.SetLookup(AuditRowBatch.Chain, new AuditLookupEntry(997, "[\"spiffe://t/\\u0061\"]")), "'chain'"),
            ("chain not JSON", (b, r) => b.SetLookup(AuditRowBatch.Chain, new AuditLookupEntry(996, "[nope")), "'chain'"),
        };

        foreach (var (name, edit, reason) in tamperings)
        {
            var (batch, records, rebuild) = Build(8, new Random(7), new Dictionary<long, AuditLookupEntry>());
            rebuild(batch, 5, edit);
            batch.Check();

            Assert.False(batch.Vouched(5), name);
            var verifier = new AuditChainVerifier([]);
            var result = Feed(verifier, batch);
            Assert.False(result.Verified, name);
            Assert.Equal(6, result.Failure!.Sequence);
            Assert.Contains(reason, result.Failure.Reason, StringComparison.Ordinal);

            // The same rows fed one record at a time say the same.
            var oneByOne = new AuditChainVerifier([]);
            for (var row = 0; row < batch.Count && oneByOne.AddPrepared(AuditChainVerifier.Prepare(batch.ToStoredRecord(row))); row++)
            {
            }

            Assert.Equal(oneByOne.Complete().Failure, result.Failure);
            Assert.Equal(8, records.Count);
        }
    }

    [Fact]
    public void Check_ShouldNotVouch_ForAnEditedStoredHash_NorForTheRowAfterIt()
    {
        var (batch, _, rebuild) = Build(4, new Random(3), new Dictionary<long, AuditLookupEntry>());
        rebuild(batch, 1, (b, r) => b.SetHash(new byte[32]));
        batch.Check();

        Assert.True(batch.Vouched(0));
        Assert.False(batch.Vouched(1));
        Assert.False(batch.Vouched(2)); // its previous hash is the edited one: the one-row path decides
        Assert.True(batch.Vouched(3));
        var result = Feed(new AuditChainVerifier([]), batch);
        Assert.Equal(2, result.Failure!.Sequence);
        Assert.Contains("the event was modified", result.Failure.Reason, StringComparison.Ordinal);

        rebuild(batch, 3, (b, r) => b.SetHash(new byte[31]));
        batch.Check();
        Assert.False(batch.Vouched(3));
        Assert.Equal(4, Feed(new AuditChainVerifier([]), batch).Failure!.Sequence);
    }

    [Theory]
    [InlineData(-62_135_596_800_000L)]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(951_782_400_123L)]
    [InlineData(1_780_000_000_999L)]
    [InlineData(253_402_300_799_999L)]
    public void WriteTime_ShouldWriteWhatTheFormatStringWrites(long milliseconds)
    {
        var output = new byte[32];
        var written = AuditRowBatch.WriteTime(milliseconds, output);
        var expected = "\"" + AuditCanonicalForm.FormatTime(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)) + "\"";
        Assert.Equal(expected, Encoding.ASCII.GetString(output, 0, written));
    }

    private static AuditVerificationResult Feed(AuditChainVerifier verifier, AuditRowBatch batch)
    {
        for (var row = 0; row < batch.Count && verifier.AddBatchRow(batch, row); row++)
        {
        }

        return verifier.Complete();
    }

    /// <summary>A chain of <paramref name="count"/> varied events as records and as a batch; the returned action
    /// re-fills the batch with one row edited (the batch is filled in order, so every row is written again).</summary>
    private static (AuditRowBatch Batch, List<StoredAuditRecord> Records, Action<AuditRowBatch, int, Action<AuditRowBatch, int>> Rebuild) Build(
        int count, Random random, Dictionary<long, AuditLookupEntry> entries)
    {
        var rows = new List<AuditRow>();
        var records = new List<StoredAuditRecord>();
        var previous = AuditHashing.GenesisHash;
        string Pick() => Texts[random.Next(Texts.Length)];
        string? Maybe() => random.Next(4) == 0 ? null : Pick();
        for (var i = 1; i <= count; i++)
        {
            var auditEvent = new AuditEvent
            {
                Type = random.Next(3) == 0 ? "decision" : "type " + Pick(),
                Actor = Maybe(),
                Subject = Maybe(),
                Action = Maybe(),
                Resource = Maybe(),
                Decision = Maybe(),
                CredentialId = Maybe(),
                TaskId = Maybe(),
                RequestId = Maybe(),
                PolicyVersion = Maybe(),
                Reason = Maybe(),
                Chain = random.Next(3) == 0 ? null : [Pick(), "spiffe://t/" + Pick()],
                Details = random.Next(3) == 0 ? null : new Dictionary<string, string> { [Pick()] = Pick(), ["k"] = Pick() },
            };
            var time = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_000 + (i * 1_234L));
            var row = AuditRow.From(i, time, auditEvent);
            var body = Encoding.UTF8.GetBytes(row.Body());
            var hash = AuditHashing.ChainHash(previous, body);
            rows.Add(row);
            records.Add(new StoredAuditRecord(row, previous, hash));
            previous = hash;
        }

        AuditLookupEntry Entry(string value)
        {
            foreach (var entry in entries.Values)
            {
                if (entry.Value == value)
                {
                    return entry;
                }
            }

            var added = new AuditLookupEntry(entries.Count + 1, value);
            entries[added.Id] = added;
            return added;
        }

        void Fill(AuditRowBatch batch, int edited, Action<AuditRowBatch, int>? edit)
        {
            batch.Clear();
            batch.FirstPreviousHash = AuditHashing.GenesisHash;
            for (var i = 0; i < rows.Count; i++)
            {
                var r = rows[i];
                batch.BeginRow(r.Sequence, r.TimeMilliseconds);
                string?[] lookups = [r.Type, r.Actor, r.Subject, r.Action, r.Chain, r.PolicyVersion];
                for (var field = 0; field < lookups.Length; field++)
                {
                    if (lookups[field] is { } value)
                    {
                        batch.SetLookup(field, Entry(value));
                    }
                }

                string?[] texts = [r.Resource, r.Decision, r.CredentialId, r.TaskId, r.RequestId, r.Reason, r.Details];
                for (var field = 0; field < texts.Length; field++)
                {
                    batch.SetText(field, texts[field]);
                }

                batch.SetHash(Convert.FromHexString(records[i].Hash));
                if (i == edited)
                {
                    edit!(batch, i); // a later set replaces the field
                }

                batch.EndRow();
            }
        }

        var built = new AuditRowBatch(count);
        Fill(built, -1, null);
        return (built, records, (batch, edited, edit) => Fill(batch, edited, edit));
    }
}
