using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Audit;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Tests.Audit;

public sealed class AuditChainVerifierTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Verify_ShouldAcceptAnIntactChain_WithItsCheckpoint()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var records = Chain(10);
        var verifier = new AuditChainVerifier([AuditPublicKey.FromEcdsa("k1", key)]);
        foreach (var record in records)
        {
            Assert.True(verifier.AddStored(record, $"event {record.Sequence}"));
        }

        Assert.True(verifier.AddCheckpoint(Sign(key, "k1", records, 1, 10), "checkpoint"));
        var result = verifier.Complete();

        Assert.True(result.Verified, result.Failure?.ToString());
        Assert.Equal(10, result.Events);
        Assert.Equal(1, result.Checkpoints);
        Assert.Equal(0, result.UnsignedEvents);
    }

    [Fact]
    public void Verify_ShouldReportTheModifiedEvent()
    {
        var records = Chain(5);
        records[2] = new StoredAuditRecord(records[2].Row! with { Reason = "rX" }, records[2].PreviousHash, records[2].Hash);

        var result = VerifyAll(records);

        Assert.Equal(3, result.Failure!.Sequence);
        Assert.Contains("modified", result.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ShouldReportADeletedEvent()
    {
        var records = Chain(5);
        records.RemoveAt(1);

        var result = VerifyAll(records);

        Assert.Equal(3, result.Failure!.Sequence);
        Assert.Contains("event 2 is missing", result.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ShouldReportReorderedEvents()
    {
        var records = Chain(5);
        (records[1], records[2]) = (records[2], records[1]);

        var result = VerifyAll(records);

        Assert.Equal("event 3", result.Failure!.Position);
        Assert.Contains("missing", result.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ShouldReportAnInsertedEvent_ThatDoesNotLink()
    {
        var records = Chain(5);
        var forgedBody = AuditCanonicalForm.Serialize(6, Start, new AuditEvent { Type = "forged" });
        records.Add(new StoredAuditRecord(6, forgedBody, AuditHashing.GenesisHash, AuditHashing.ChainHash(AuditHashing.GenesisHash, forgedBody)));

        var result = VerifyAll(records);

        Assert.Equal(6, result.Failure!.Sequence);
        Assert.Contains("does not link to its predecessor", result.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ShouldCatchARehashedChain_ThroughTheSignedCheckpoint()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var original = Chain(6);
        var checkpoint = Sign(key, "k1", original, 1, 6);
        // The attacker rewrites event 2 and recomputes every later hash: the chain alone looks intact.
        var rewritten = Chain(6, (i, e) => i == 2 ? e with { Reason = "nothing to see" } : e);
        var verifier = new AuditChainVerifier([AuditPublicKey.FromEcdsa("k1", key)]);
        foreach (var record in rewritten)
        {
            Assert.True(verifier.AddStored(record, $"event {record.Sequence}"));
        }

        Assert.False(verifier.AddCheckpoint(checkpoint, "checkpoint 1..6"));
        Assert.Contains("rehashed", verifier.Failure!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ShouldRejectACheckpoint_SignedByAnUntrustedKey()
    {
        using var trusted = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var records = Chain(3);
        var verifier = new AuditChainVerifier([AuditPublicKey.FromEcdsa("k1", trusted)]);
        foreach (var record in records)
        {
            verifier.AddStored(record, "e");
        }

        Assert.False(verifier.AddCheckpoint(Sign(forger, "k1", records, 1, 3), "checkpoint"));
        Assert.Contains("signature does not verify", verifier.Failure!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ShouldRejectANonCanonicalBody_EvenWithAMatchingHash()
    {
        var body = "{\"type\":\"x\",\"seq\":1,\"time\":\"2026-01-01T00:00:00.000Z\"}";
        var record = new StoredAuditRecord(1, body, AuditHashing.GenesisHash, AuditHashing.ChainHash(AuditHashing.GenesisHash, body));

        var result = VerifyAll([record]);

        Assert.Contains("canonical", result.Failure!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ShouldReportAStoredFieldThatDisagreesWithTheHash()
    {
        var records = Chain(2);
        records[1] = new StoredAuditRecord(records[1].Row! with { Actor = "spiffe://evil" }, records[1].PreviousHash, records[1].Hash);

        var result = VerifyAll(records);

        Assert.Equal(2, result.Failure!.Sequence);
        Assert.Contains("the event was modified", result.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ShouldReportAChainStoredInAnotherSpelling_ThoughItHashesTheSame()
    {
        // "\u0061" is "a": the body rebuilds identically, but an identity query matching the stored text would miss it.
        var records = Chain(2, (_, e) => e with { Chain = ["spiffe://demo/a"] });
        var respelled = records[1].Row!.Chain!.Replace("demo/a", "demo/\\u0061", StringComparison.Ordinal);
        records[1] = new StoredAuditRecord(records[1].Row! with { Chain = respelled }, records[1].PreviousHash, records[1].Hash);

        var result = VerifyAll(records);

        Assert.Equal(2, result.Failure!.Sequence);
        Assert.Contains("'chain'", result.Failure.Reason, StringComparison.Ordinal);
    }

    private static AuditVerificationResult VerifyAll(IEnumerable<StoredAuditRecord> records)
    {
        var verifier = new AuditChainVerifier([]);
        foreach (var record in records)
        {
            if (!verifier.AddStored(record, $"event {record.Sequence}"))
            {
                break;
            }
        }

        return verifier.Complete();
    }

    private static List<StoredAuditRecord> Chain(int count, Func<int, AuditEvent, AuditEvent>? change = null)
    {
        var records = new List<StoredAuditRecord>();
        var previous = AuditHashing.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var e = new AuditEvent { Type = "test", Actor = "spiffe://demo/a", Reason = "r" + i };
            e = change?.Invoke(i, e) ?? e;
            var time = Start.AddSeconds(i);
            var body = AuditCanonicalForm.Serialize(i, time, e);
            var hash = AuditHashing.ChainHash(previous, body);
            records.Add(new StoredAuditRecord(AuditRow.From(i, time, e), previous, hash));
            previous = hash;
        }

        return records;
    }

    private static AuditCheckpoint Sign(ECDsa key, string kid, IReadOnlyList<StoredAuditRecord> records, long from, long to)
    {
        var tree = new MerkleTreeBuilder();
        foreach (var record in records.Where(r => r.Sequence >= from && r.Sequence <= to))
        {
            tree.AddLeaf(Encoding.UTF8.GetBytes(record.CanonicalJson));
        }

        var root = Convert.ToHexStringLower(tree.RootHash());
        var chainHash = records.Single(r => r.Sequence == to).Hash;
        var input = AuditCheckpoint.SigningInput(from, to, root, chainHash, Start, kid, AuditPublicKey.Es256);
        var signature = Base64UrlEncoder.Encode(key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        return new AuditCheckpoint(from, to, root, chainHash, Start, kid, AuditPublicKey.Es256, signature);
    }
}
