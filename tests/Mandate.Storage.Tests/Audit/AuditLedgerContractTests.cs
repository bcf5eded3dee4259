using System.Text;
using Mandate.Core.Audit;
using Mandate.Core.Governance.Findings;
using Mandate.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Storage.Tests.Audit;

/// <summary>The audit ledger against a real store: group commit, checkpoints, tampering in the database and in exports.</summary>
public abstract class AuditLedgerContractTests : MigratedStoreTests
{
    private ServiceProvider services = null!;

    private protected IAuditTrail Trail => services.GetRequiredService<IAuditTrail>();

    private protected AuditCheckpointer Checkpointer => services.GetRequiredService<AuditCheckpointer>();

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var kek = TempPaths.NewFile("audit", ".kek");
        services = new ServiceCollection()
            .AddSingleton(Store)
            .AddMandate().AddAudit(o => o.KeyEncryptionKeyPath = kek)
            .Services.BuildServiceProvider();
    }

    public override async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>Runs SQL directly against the database, behind the ledger's back (the attacker's view).</summary>
    protected abstract Task ExecuteRawAsync(string sql);

    /// <summary>A SQL literal of the bytes whose lower-case hex is <paramref name="hex"/>.</summary>
    protected abstract string Bytes(string hex);

    /// <summary>Points a row's lookup column at a string (added to the lookup table when new).</summary>
    private static string PointAt(string column, string literal, long sequence) =>
        $"INSERT INTO audit_strings (value) VALUES ({literal}) ON CONFLICT (value) DO NOTHING;\n"
        + $"UPDATE audit_log SET {column} = (SELECT id FROM audit_strings WHERE value = {literal}) WHERE seq = {sequence}";

    [Fact]
    public async Task GroupCommit_ShouldAcknowledgeEveryEvent_InOneUnbrokenChain_AlongsideSessionWriters()
    {
        var appended = Enumerable.Range(0, 300).Select(i => Trail.AppendAsync(new AuditEvent { Type = "decision", Subject = $"s{i}", Decision = "allow" }, Ct)).ToList();
        await Parallel.ForAsync(0, 20, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct }, async (i, token) =>
        {
            await using var session = await Store.BeginAsync(StoreIntent.Write, token);
            await Trail.RecordAsync(session, new AuditEvent { Type = "state.changed", Subject = $"w{i}" }, token);
            await session.CommitAsync(token);
        });
        var acknowledged = await Task.WhenAll(appended);

        var reported = new List<long>();
        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct, reported.Add);
        Assert.True(result.Verified, result.Failure?.ToString());
        Assert.Equal(320, result.Events);
        // The progress bar counts to the head's sequence and ends there.
        Assert.Equal(await AuditStoreVerifier.HeadSequenceAsync(Store, Ct), reported[^1]);
        Assert.Equal(300, acknowledged.Select(r => r.Sequence).Distinct().Count());
        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var stored = new Dictionary<long, string>();
        await foreach (var record in read.Get<IAuditRepository>().ReadAsync(1, Ct))
        {
            stored[record.Sequence] = record.Hash;
        }

        Assert.All(acknowledged, a => Assert.Equal(a.Hash, stored[a.Sequence]));
    }

    [Fact]
    public async Task GroupCommit_ShouldRechainOnTheRealHead_WhenSomeoneElseAppendedSinceItsLastBatch()
    {
        // The writer remembers the head it committed; an event recorded inside a state change moves the head behind
        // its back, and its next batch must land after that event, not collide with it or fork the chain.
        var first = await Trail.AppendAsync(new AuditEvent { Type = "decision", Subject = "a" }, Ct);
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await Trail.RecordAsync(session, new AuditEvent { Type = "state.changed", Subject = "b" }, Ct);
            await session.CommitAsync(Ct);
        }

        var second = await Trail.AppendAsync(new AuditEvent { Type = "decision", Subject = "c" }, Ct);
        var third = await Trail.AppendAsync(new AuditEvent { Type = "decision", Subject = "d" }, Ct);

        Assert.Equal([1L, 3L, 4L], new[] { first.Sequence, second.Sequence, third.Sequence });
        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);
        Assert.True(result.Verified, result.Failure?.ToString());
        Assert.Equal(4, result.Events);
    }

    [Fact]
    public async Task TwoWriters_OnOneStore_ShouldInterleaveIntoOneUnbrokenChain()
    {
        // Two group-commit writers over one database, as two server nodes have: each keeps colliding with the other's
        // batches and must recover without losing, duplicating or forking anything.
        var otherKek = TempPaths.NewFile("audit-other", ".kek");
        await using var otherNode = new ServiceCollection()
            .AddSingleton(Store)
            .AddMandate().AddAudit(o => o.KeyEncryptionKeyPath = otherKek)
            .Services.BuildServiceProvider();
        var other = otherNode.GetRequiredService<IAuditTrail>();

        var appended = new List<Task<AuditRecord>>();
        for (var round = 0; round < 20; round++)
        {
            for (var i = 0; i < 5; i++)
            {
                appended.Add(Trail.AppendAsync(new AuditEvent { Type = "decision", Subject = $"one-{round}-{i}" }, Ct));
                appended.Add(other.AppendAsync(new AuditEvent { Type = "decision", Subject = $"two-{round}-{i}" }, Ct));
            }

            await Task.WhenAll(appended);
        }

        var acknowledged = await Task.WhenAll(appended);
        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);
        Assert.True(result.Verified, result.Failure?.ToString());
        Assert.Equal(200, result.Events);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), acknowledged.Select(r => r.Sequence).Order());
    }

    [Fact]
    public async Task RecordManyAlongside_ShouldAppendAfterTheCallersWrites_EveryEventInOrderOnTheHead()
    {
        await AppendAsync(3);
        var events = Enumerable.Range(0, 2_000).Select(i => new AuditEvent
        {
            Type = "finding.opened",
            Subject = $"arn:many-{i % 700}",
            Details = new Dictionary<string, string> { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["token"] = "abc" },
        }).ToList();
        IReadOnlyList<AuditRecord> records;
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var written = false;
            records = await Trail.RecordManyAlongsideAsync(
                session,
                () => events,
                async () =>
                {
                    // The caller's own change, in the same transaction, while the events are chained on another core.
                    await session.Get<IFindingRepository>().InsertAsync([StaleFinding("arn:many-1")], Ct);
                    written = true;
                },
                Ct);
            Assert.True(written);
            await session.CommitAsync(Ct);
        }

        Assert.Equal(Enumerable.Range(4, 2_000).Select(i => (long)i), records.Select(r => r.Sequence));
        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);
        Assert.True(result.Verified, result.Failure?.ToString());
        Assert.Equal(2_003, result.Events);
        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var stored = new List<StoredAuditRecord>();
        await foreach (var record in read.Get<IAuditRepository>().ReadAsync(4, Ct))
        {
            stored.Add(record);
        }

        Assert.Equal(records.Select(r => r.Hash), stored.Select(r => r.Hash));
        Assert.Equal(events.Select(e => e.Subject), stored.Select(r => r.Row!.Subject));

        // The events went through the same checks as any append: the secret guard redacted the token.
        Assert.All(records, r => Assert.NotEqual("abc", r.Event.Details!["token"]));
        Assert.Single(await read.Get<IFindingRepository>().ListStatesAsync(Ct));
    }

    [Fact]
    public async Task RecordManyAlongside_ShouldWriteNothing_WhenTheCallersWriteOrTheEventsFail()
    {
        await AppendAsync(2);
        var events = Enumerable.Range(0, 1_000).Select(i => new AuditEvent { Type = "finding.opened", Subject = $"arn:fail-{i}" }).ToList();
        var failures = new (Func<IReadOnlyList<AuditEvent>> Build, Func<IStoreSession, Task> Alongside, string Message)[]
        {
            (() => events, _ => throw new InvalidOperationException("the write failed"), "the write failed"),
            (() => throw new InvalidOperationException("the events failed"), s => s.Get<IFindingRepository>().InsertAsync([StaleFinding("arn:fail-1")], Ct), "the events failed"),
            (() => [new AuditEvent { Type = " " }], s => s.Get<IFindingRepository>().InsertAsync([StaleFinding("arn:fail-2")], Ct), "type"),
        };
        foreach (var (build, alongside, message) in failures)
        {
            await using var session = await Store.BeginAsync(StoreIntent.Write, Ct);
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => Trail.RecordManyAlongsideAsync(session, build, () => alongside(session), Ct));
            Assert.Contains(message, failure.Message, StringComparison.Ordinal);
        }

        // Nothing of the failed transactions stands, and the head is free for the next writer.
        await AppendAsync(1);
        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);
        Assert.True(result.Verified, result.Failure?.ToString());
        Assert.Equal(3, result.Events);
        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        Assert.Empty(await read.Get<IFindingRepository>().ListStatesAsync(Ct));
    }

    private static Finding StaleFinding(string identity) => new()
    {
        Id = FindingRules.Id("stale", "aws", identity, null),
        Kind = "stale",
        Severity = "medium",
        Source = "aws",
        Identity = identity,
        Summary = "stale",
        Evidence = [],
        Remediation = "rotate",
    };

    [Fact]
    public async Task InclusionProof_ShouldVerifyOffline_ForEveryEventOfEveryCheckpoint()
    {
        await AppendAsync(7);
        await Checkpointer.CheckpointAsync(Ct);
        await AppendAsync(6);
        await Checkpointer.CheckpointAsync(Ct);
        await AppendAsync(1);
        var pinned = await PublicKeysAsync();

        for (var seq = 1L; seq <= 13; seq++)
        {
            var (proof, unavailable) = await AuditInclusionProofs.BuildAsync(Store, seq, Ct);
            Assert.Null(unavailable);
            var result = AuditInclusionProofs.Verify(RoundTrip(proof!), pinned);
            Assert.True(result.Verified, $"event {seq}: {result.Reason}");
            Assert.Empty(result.Notes);
        }

        Assert.Equal(AuditProofUnavailable.NotCheckpointed, (await AuditInclusionProofs.BuildAsync(Store, 14, Ct)).Unavailable);
        Assert.Equal(AuditProofUnavailable.NoSuchEvent, (await AuditInclusionProofs.BuildAsync(Store, 15, Ct)).Unavailable);
        Assert.Equal(AuditProofUnavailable.NoSuchEvent, (await AuditInclusionProofs.BuildAsync(Store, 0, Ct)).Unavailable);
    }

    [Theory]
    [InlineData("event", "the event was modified")]
    [InlineData("path", "audit path does not lead")]
    [InlineData("seq", "the proof says")]
    [InlineData("other-event", "audit path does not lead")]
    [InlineData("signature", "signature does not verify")]
    [InlineData("foreign-key", "not among the trusted keys")]
    public async Task InclusionProof_ShouldFail_WhenAnyPartIsAltered(string alteration, string reason)
    {
        await AppendAsync(9);
        await Checkpointer.CheckpointAsync(Ct);
        var pinned = await PublicKeysAsync();
        var proof = RoundTrip((await AuditInclusionProofs.BuildAsync(Store, 4, Ct)).Proof!);
        var other = RoundTrip((await AuditInclusionProofs.BuildAsync(Store, 5, Ct)).Proof!);

        var altered = alteration switch
        {
            "event" => proof with { CanonicalJson = proof.CanonicalJson.Replace("note-4", "note-X", StringComparison.Ordinal) },
            "path" => proof with { AuditPath = [.. proof.AuditPath.Take(proof.AuditPath.Count - 1), new string('0', 64)] },
            "seq" => proof with { Sequence = 5 },
            "other-event" => proof with { Sequence = other.Sequence, CanonicalJson = other.CanonicalJson, PreviousHash = other.PreviousHash, Hash = other.Hash },
            "signature" => proof with { Checkpoint = proof.Checkpoint with { Time = proof.Checkpoint.Time.AddSeconds(1) } },
            _ => proof,
        };
        var keys = alteration == "foreign-key"
            ? [AuditPublicKey.FromEcdsa("someone-else", System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))]
            : pinned;

        var result = AuditInclusionProofs.Verify(altered, keys);
        Assert.False(result.Verified);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InclusionProof_ShouldBeRefused_WhenTheStoredRangeNoLongerMatchesItsCheckpoint()
    {
        await AppendAsync(5);
        await Checkpointer.CheckpointAsync(Ct);
        await ExecuteRawAsync("UPDATE audit_log SET reason = 'note-X' WHERE seq = 2");

        await Assert.ThrowsAsync<AuditChainBrokenException>(() => AuditInclusionProofs.BuildAsync(Store, 4, Ct));
    }

    private async Task<IReadOnlyList<AuditPublicKey>> PublicKeysAsync()
    {
        await using var session = await Store.BeginAsync(StoreIntent.Read, Ct);
        return await session.Get<IAuditRepository>().GetPublicKeysAsync(Ct);
    }

    /// <summary>Through the JSON document and back, as a proof travels to whoever checks it.</summary>
    private static AuditInclusionProof RoundTrip(AuditInclusionProof proof)
    {
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            proof.WriteJson(writer);
        }

        using var document = System.Text.Json.JsonDocument.Parse(buffer.ToArray());
        return AuditInclusionProof.Parse(document.RootElement);
    }

    [Fact]
    public async Task RecordedEvent_ShouldVanishWithItsTransaction_WhenTheSessionRollsBack()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await Trail.RecordAsync(session, new AuditEvent { Type = "state.changed" }, Ct);
        }

        await Trail.AppendAsync(new AuditEvent { Type = "after" }, Ct);
        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);
        Assert.True(result.Verified, result.Failure?.ToString());
        Assert.Equal(1, result.Events);
    }

    [Fact]
    public async Task LookupEntry_FromARolledBackAppend_ShouldNotBeReused_ByTheNextAppend()
    {
        // The rolled-back transaction added the strings to the lookup table and took ids for them; those ids are gone
        // with it, so the next append of the same strings must add them again, not refer to ids that never committed.
        var fresh = new AuditEvent { Type = "fresh.type", Actor = "spiffe://t/rolled-back", Subject = "spiffe://t/s", PolicyVersion = "pv-rb" };
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await Trail.RecordAsync(session, fresh, Ct);
        }

        await Trail.AppendAsync(fresh, Ct);
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await Trail.RecordAsync(session, fresh with { Subject = "spiffe://t/s2" }, Ct);
            await session.CommitAsync(Ct);
        }

        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);
        Assert.True(result.Verified, result.Failure?.ToString());
        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var found = await read.Get<IAuditRepository>().QueryAsync(new AuditQuery { Identity = "spiffe://t/rolled-back", Type = "fresh.type" }, Ct);
        Assert.Equal([1L, 2L], found.Select(r => r.Sequence));
        Assert.Equal("pv-rb", found[1].Event.PolicyVersion);
    }

    [Fact]
    public async Task Checkpoints_ShouldEachCoverTheEventsSinceTheLastOne_AndVerify()
    {
        await AppendAsync(5);
        var first = await Checkpointer.CheckpointAsync(Ct);
        await AppendAsync(3);
        var second = await Checkpointer.CheckpointAsync(Ct);
        var none = await Checkpointer.CheckpointAsync(Ct);
        await AppendAsync(2);

        Assert.Equal((1L, 5L), (first!.FromSequence, first.ToSequence));
        Assert.Equal((6L, 8L), (second!.FromSequence, second.ToSequence));
        Assert.Null(none);
        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);
        Assert.True(result.Verified, result.Failure?.ToString());
        Assert.Equal(2, result.Checkpoints);
        Assert.Equal(2, result.UnsignedEvents);
    }

    [Fact]
    public async Task Checkpoints_ShouldFollowOneAnotherWithoutOverlap_WhenTwoSignersRaceWithAppends()
    {
        // The signer verifies its range in a read transaction and takes the write lock only to add the checkpoint: one
        // that another signer added meanwhile must make it stand down, not sign an overlapping range.
        var other = ActivatorUtilities.CreateInstance<AuditCheckpointer>(services);
        for (var round = 0; round < 8; round++)
        {
            var appending = Task.Run(() => AppendAsync(6), Ct);
            await Task.WhenAll(appending, Checkpointer.CheckpointAsync(Ct), other.CheckpointAsync(Ct));
        }

        await Checkpointer.CheckpointAsync(Ct);
        await using var session = await Store.BeginAsync(StoreIntent.Read, Ct);
        var checkpoints = await session.Get<IAuditRepository>().ReadCheckpointsAsync(Ct);
        var next = 1L;
        foreach (var checkpoint in checkpoints.OrderBy(c => c.FromSequence))
        {
            Assert.Equal(next, checkpoint.FromSequence);
            next = checkpoint.ToSequence + 1;
        }

        Assert.Equal(49, next);
        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);
        Assert.True(result.Verified, result.Failure?.ToString());
        Assert.Equal(0, result.UnsignedEvents);
    }

    [Theory]
    [InlineData("modify-body", "event 3", "the event was modified")]
    [InlineData("modify-column", "event 3", "the event was modified")]
    [InlineData("delete", "event 5", "event 4 is missing")]
    [InlineData("reorder", "event 2", "the event was modified")]
    [InlineData("insert", "event 4", "the event was modified")]
    [InlineData("delete-signed-tail", "checkpoint 6..10", "signed events were deleted")]
    [InlineData("rehash", "checkpoint 1..5", "rehashed")]
    [InlineData("delete-checkpoint", "checkpoint 11..12", "a checkpoint was deleted")]
    public async Task Verify_ShouldNameTheFirstBadPosition_WhenRowsAreTamperedWith(string tampering, string position, string reason)
    {
        await AppendAsync(5);
        await Checkpointer.CheckpointAsync(Ct);
        await AppendAsync(5);
        await Checkpointer.CheckpointAsync(Ct);
        await AppendAsync(2);
        await Checkpointer.CheckpointAsync(Ct);
        Assert.True((await AuditStoreVerifier.VerifyAsync(Store, null, Ct)).Verified);

        switch (tampering)
        {
            case "modify-body":
                await ExecuteRawAsync("UPDATE audit_log SET reason = 'note-X' WHERE seq = 3");
                break;
            case "modify-column":
                await ExecuteRawAsync(PointAt("actor_id", "'spiffe://evil.example/x'", 3));
                break;
            case "delete":
                await ExecuteRawAsync("DELETE FROM audit_log WHERE seq = 4");
                break;
            case "reorder":
                await ExecuteRawAsync("UPDATE audit_log SET seq = -1 WHERE seq = 2");
                await ExecuteRawAsync("UPDATE audit_log SET seq = 2 WHERE seq = 3");
                await ExecuteRawAsync("UPDATE audit_log SET seq = 3 WHERE seq = -1");
                break;
            case "insert":
                await InsertForgedRowAsync(3);
                break;
            case "delete-signed-tail":
                await ExecuteRawAsync("DELETE FROM audit_log WHERE seq >= 9");
                await ExecuteRawAsync("DELETE FROM audit_checkpoints WHERE from_seq = 11");
                break;
            case "rehash":
                await RewriteAndRehashAsync(2);
                break;
            case "delete-checkpoint":
                await ExecuteRawAsync("DELETE FROM audit_checkpoints WHERE from_seq = 6");
                break;
        }

        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);

        Assert.False(result.Verified);
        Assert.Equal(position, result.Failure!.Position);
        Assert.Contains(reason, result.Failure.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rewrite", 3)]
    [InlineData("clear", 3)]
    [InlineData("add", 4)]
    public async Task Verify_ShouldFail_WhenTheChainColumnIsEdited(string edit, long sequence)
    {
        await AppendDelegatedDecisionsAsync();
        Assert.Equal(new long[] { 1L, 2, 3 }, await IdentitySequencesAsync(DelegatingAgent));

        await ExecuteRawAsync(edit switch
        {
            "rewrite" => PointAt("chain_id", $"'[\"{Intruder}\"]'", sequence),
            "clear" => $"UPDATE audit_log SET chain_id = NULL WHERE seq = {sequence}",
            _ => PointAt("chain_id", $"'[\"{DelegatingAgent}\"]'", sequence),
        });
        // The edit is worth detecting: identity queries (and so timelines) now answer differently.
        Assert.NotEqual(new long[] { 1L, 2, 3 }, await IdentitySequencesAsync(DelegatingAgent));

        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);

        Assert.False(result.Verified);
        Assert.Equal($"event {sequence}", result.Failure!.Position);
        Assert.Equal("the event's hash does not match its content: the event was modified", result.Failure.Reason);
    }

    [Fact]
    public async Task Verify_ShouldFail_WhenThePolicyVersionColumnIsEdited()
    {
        await AppendDelegatedDecisionsAsync();

        await ExecuteRawAsync(PointAt("policy_version_id", "'pv-forged'", 2));

        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);

        Assert.False(result.Verified);
        Assert.Equal("event 2", result.Failure!.Position);
        Assert.Equal("the event's hash does not match its content: the event was modified", result.Failure.Reason);
    }

    /// <summary>
    /// Every stored column of a compact row, and every lookup entry it refers to, is part of the hashed body it rebuilds:
    /// an edit to any of them fails verification at the first event that holds it (event 3 here; event 6 reuses its
    /// actor, so a lookup edit must be reported at the first user, not the last).
    /// </summary>
    [Theory]
    [InlineData("time_ms", "UPDATE audit_log SET time_ms = time_ms + 1 WHERE seq = 3", "the event was modified")]
    [InlineData("type_id", "INSERT INTO audit_strings (value) VALUES ('other.type'); UPDATE audit_log SET type_id = (SELECT id FROM audit_strings WHERE value = 'other.type') WHERE seq = 3", "the event was modified")]
    [InlineData("actor_id", "UPDATE audit_log SET actor_id = subject_id WHERE seq = 3", "the event was modified")]
    [InlineData("subject_id", "UPDATE audit_log SET subject_id = actor_id WHERE seq = 3", "the event was modified")]
    [InlineData("action_id", "UPDATE audit_log SET action_id = type_id WHERE seq = 3", "the event was modified")]
    [InlineData("resource", "UPDATE audit_log SET resource = 'res-X' WHERE seq = 3", "the event was modified")]
    [InlineData("decision", "UPDATE audit_log SET decision = 'deny' WHERE seq = 3", "the event was modified")]
    [InlineData("jti", "UPDATE audit_log SET jti = NULL WHERE seq = 3", "the event was modified")]
    [InlineData("task_id", "UPDATE audit_log SET task_id = 'task-X' WHERE seq = 3", "the event was modified")]
    [InlineData("request_id", "UPDATE audit_log SET request_id = 'req-X' WHERE seq = 3", "the event was modified")]
    [InlineData("chain_id", "UPDATE audit_log SET chain_id = NULL WHERE seq = 3", "the event was modified")]
    [InlineData("policy_version_id", "UPDATE audit_log SET policy_version_id = action_id WHERE seq = 3", "the event was modified")]
    [InlineData("reason", "UPDATE audit_log SET reason = 'reason-X' WHERE seq = 3", "the event was modified")]
    [InlineData("details", "UPDATE audit_log SET details = '{\"k\":\"v\",\"z\":\"X\"}' WHERE seq = 3", "the event was modified")]
    [InlineData("details respelled", "UPDATE audit_log SET details = '{\"k\": \"v\",\"z\":\"é\"}' WHERE seq = 3", "the event was modified")]
    [InlineData("hash", "UPDATE audit_log SET hash = (SELECT b.hash FROM audit_log b WHERE b.seq = 2) WHERE seq = 3", "the event was modified")]
    [InlineData("lookup entry edited", "UPDATE audit_strings SET value = 'spiffe://t/evil' WHERE value = 'spiffe://t/actor3'", "the event was modified")]
    [InlineData("lookup chain respelled", "UPDATE audit_strings SET value = '[\"spiffe://t/ch\\u0061in3\"]' WHERE value = '[\"spiffe://t/chain3\"]'", "'chain'")]
    [InlineData("lookup entry deleted", "DELETE FROM audit_strings WHERE value = 'spiffe://t/actor3'", "the lookup table was modified")]
    [InlineData("lookup id dangling", "UPDATE audit_log SET type_id = 987654321 WHERE seq = 3", "the lookup table was modified")]
    public async Task Verify_ShouldFailAtTheEvent_WhenAnyStoredColumnOrLookupEntryIsEdited(string column, string sql, string reason)
    {
        await AppendAsync(2);
        await Trail.AppendAsync(
            new AuditEvent
            {
                Type = "full.event",
                Actor = "spiffe://t/actor3",
                Subject = "spiffe://t/subject3",
                Chain = ["spiffe://t/chain3"],
                Action = "Action::\"act3\"",
                Resource = "res3",
                Decision = "allow",
                PolicyVersion = "pv3",
                CredentialId = "jti3",
                TaskId = "task3",
                Reason = "reason3",
                RequestId = "req3",
                Details = new Dictionary<string, string> { ["z"] = "é", ["k"] = "v" },
            },
            Ct);
        await AppendAsync(2);
        await Trail.AppendAsync(new AuditEvent { Type = "test.note", Actor = "spiffe://t/actor3" }, Ct);
        var untouched = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);
        Assert.True(untouched.Verified, untouched.Failure?.ToString());

        var before = await RangeAsync(1, 6);
        await ExecuteRawAsync(sql);
        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);

        Assert.False(result.Verified, column);
        Assert.Equal(3, result.Failure!.Sequence);
        Assert.Contains(reason, result.Failure.Reason, StringComparison.Ordinal);
        // A bounded read (a checkpoint's range, a proof) joins the lookup table instead of loading it: it sees the same
        // edit at the same events (event 6 shares the edited actor entry), and nothing else.
        var after = await RangeAsync(1, 6);
        long[] changed = column.StartsWith("lookup entry", StringComparison.Ordinal) ? [3L, 6L] : [3L];
        Assert.Equal(changed, before.Keys.Where(k => before[k] != after[k]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task RowCursor_ShouldReadTheRecordsTheOneRowReadReturns_AndItsBatchCheckShouldVouchForEachIntactRow(long from)
    {
        await AppendDelegatedDecisionsAsync();
        await Trail.AppendAsync(
            new AuditEvent
            {
                Type = "full.event",
                Actor = "spiffe://t/\"quoted\"\ttab",
                Subject = "Workload::\"spiffe://t/é\"",
                Action = "Action::\"act\"",
                Resource = "Dataset::\"ds\u0001\" 😀",
                Decision = "allow",
                CredentialId = "jti",
                TaskId = "task",
                Reason = "line\nbreak",
                RequestId = "req",
                Details = new Dictionary<string, string> { ["z"] = "é\"", ["k"] = "v\\" },
            },
            Ct);

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var repository = read.Get<IAuditRepository>();
        var expected = new List<StoredAuditRecord>();
        await foreach (var record in repository.ReadAsync(from, Ct))
        {
            expected.Add(record);
        }

        var batch = new AuditRowBatch(2); // several batches: the hash before each batch's first row carries over
        var rows = new List<StoredAuditRecord>();
        await using (var cursor = await repository.OpenRowCursorAsync(from, Ct))
        {
            while (await cursor.ReadAsync(batch, Ct))
            {
                batch.Check();
                for (var row = 0; row < batch.Count; row++)
                {
                    Assert.True(batch.Vouched(row), $"event {batch.Sequence(row)}");
                    rows.Add(batch.ToStoredRecord(row));
                }
            }
        }

        Assert.Equal(6 - from, rows.Count);
        Assert.Equal(
            expected.Select(r => (r.Sequence, r.PreviousHash, r.Hash, r.CanonicalJson)),
            rows.Select(r => (r.Sequence, r.PreviousHash, r.Hash, r.CanonicalJson)));
    }

    /// <summary>Each event's rebuilt body and hash, or why it cannot be rebuilt, as a bounded read returns them.</summary>
    private async Task<Dictionary<long, string>> RangeAsync(long from, long to)
    {
        var bodies = new Dictionary<long, string>();
        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        await foreach (var record in read.Get<IAuditRepository>().ReadRangeAsync(from, to, Ct))
        {
            try
            {
                bodies[record.Sequence] = record.Hash + " " + record.CanonicalJson;
            }
            catch (FormatException ex)
            {
                bodies[record.Sequence] = ex.Message;
            }
        }

        return bodies;
    }

    [Fact]
    public async Task Verify_OfALongChain_ShouldLoadTheLookupTable_AndStillFindAnEditedEntryAtItsFirstEvent()
    {
        // Past 50,000 events a read loads the lookup table once instead of joining it per row: the same answers.
        const int events = 50_200;
        var batch = new AuditEvent[5_000];
        for (var written = 0; written < events; written += batch.Length)
        {
            var count = Math.Min(batch.Length, events - written);
            for (var i = 0; i < count; i++)
            {
                var n = written + i + 1;
                batch[i] = new AuditEvent { Type = "decision", Actor = n == 3 ? "spiffe://t/only-3" : "pep:gateway", Subject = $"s{n % 700}", Decision = "allow", Reason = $"r{n}" };
            }

            await using var session = await Store.BeginAsync(StoreIntent.Write, Ct);
            await Trail.RecordManyAsync(session, new ArraySegment<AuditEvent>(batch, 0, count), Ct);
            await session.CommitAsync(Ct);
        }

        var untouched = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);
        Assert.True(untouched.Verified, untouched.Failure?.ToString());
        Assert.Equal(events, untouched.Events);

        await ExecuteRawAsync("UPDATE audit_strings SET value = 'spiffe://t/evil' WHERE value = 'spiffe://t/only-3'");
        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);

        Assert.False(result.Verified);
        Assert.Equal(3, result.Failure!.Sequence);
        Assert.Contains("the event was modified", result.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_FromTheLastCheckpoint_ShouldFail_WhenTheHashBeforeItsFirstEventIsEdited()
    {
        // The compact layout keeps no previous hash: the check from a checkpoint starts from the stored hash of the event
        // before it, which the checkpoint's signed chain hash then vouches for.
        await AppendAsync(3);
        await Checkpointer.CheckpointAsync(Ct);
        await AppendAsync(3);
        await Checkpointer.CheckpointAsync(Ct);
        Assert.True((await AuditStoreVerifier.VerifyFromLastCheckpointAsync(Store, Ct))!.Verified);

        await ExecuteRawAsync("UPDATE audit_log SET hash = (SELECT b.hash FROM audit_log b WHERE b.seq = 2) WHERE seq = 3");
        var result = await AuditStoreVerifier.VerifyFromLastCheckpointAsync(Store, Ct);

        Assert.False(result!.Verified);
        Assert.Equal("event 4", result.Failure!.Position);
        Assert.Contains("the event was modified", result.Failure.Reason, StringComparison.Ordinal);

        await ExecuteRawAsync("DELETE FROM audit_log WHERE seq = 3");
        var missing = await AuditStoreVerifier.VerifyFromLastCheckpointAsync(Store, Ct);
        Assert.Equal(4, missing!.Failure!.Sequence);
        Assert.Contains("event 3, before event 4, is missing", missing.Failure.Reason, StringComparison.Ordinal);
    }

    private const string DelegatingAgent = "spiffe://demo.mandate.local/agent/support-assistant";

    private const string Intruder = "spiffe://evil.example/x";

    /// <summary>Events with delegation chains and policy versions; one chain holds characters the column's JSON escapes
    /// (non-ASCII, '+', '&lt;') so an untouched store only verifies when the column is compared as it was written.</summary>
    private async Task AppendDelegatedDecisionsAsync()
    {
        const string user = "spiffe://demo.mandate.local/svc/billing";
        const string unusual = "spiffe://demo.mandate.local/agent/résumé+<parser>";
        await Trail.AppendAsync(new AuditEvent { Type = "token.exchanged", Actor = DelegatingAgent, Subject = user, Chain = [DelegatingAgent], CredentialId = "jti-d" }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "decision", Subject = user, Chain = [DelegatingAgent], CredentialId = "jti-d", Decision = "allow", PolicyVersion = "pv-1" }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "decision", Subject = user, Chain = [unusual, DelegatingAgent], CredentialId = "jti-d", Decision = "deny", PolicyVersion = "pv-1" }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "decision", Subject = user, Decision = "allow", PolicyVersion = "pv-2" }, Ct);
        var untouched = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);
        Assert.True(untouched.Verified, untouched.Failure?.ToString());
    }

    private async Task<long[]> IdentitySequencesAsync(string identity)
    {
        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        return [.. (await read.Get<IAuditRepository>().QueryAsync(new AuditQuery { Identity = identity }, Ct)).Select(r => r.Sequence)];
    }

    [Fact]
    public async Task Checkpointer_ShouldRefuseToSign_ABrokenChain()
    {
        await AppendAsync(4);
        await ExecuteRawAsync("UPDATE audit_log SET reason = 'note-X' WHERE seq = 2");

        var error = await Assert.ThrowsAsync<AuditChainBrokenException>(() => Checkpointer.CheckpointAsync(Ct));

        Assert.Contains("event 2", error.Message, StringComparison.Ordinal);
        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        Assert.Empty(await read.Get<IAuditRepository>().ReadCheckpointsAsync(Ct));
    }

    [Fact]
    public async Task Checkpointer_ShouldSignWhatVerificationChecks_OverSeveralReadBatches()
    {
        // The checkpointer reads its range in batches (AuditRowBatch, 256 rows): a range of several batches, rows with
        // and without details, signs the root and chain hash verification recomputes one event at a time.
        await AppendAsync(3);
        await Checkpointer.CheckpointAsync(Ct);
        await AppendManyAsync(700);

        var second = await Checkpointer.CheckpointAsync(Ct);

        Assert.Equal((4L, 703L), (second!.FromSequence, second.ToSequence));
        var result = await AuditStoreVerifier.VerifyAsync(Store, null, Ct);
        Assert.True(result.Verified, result.Failure?.ToString());
        Assert.Equal(2, result.Checkpoints);
        Assert.Equal(0, result.UnsignedEvents);
    }

    [Theory]
    [InlineData("modify-in-a-later-batch", "event 650")]
    [InlineData("delete-in-a-later-batch", "event 651")]
    [InlineData("rehash-before-the-range", "event 4")]
    public async Task Checkpointer_ShouldRefuseToSign_ABrokenRange_ReadInBatches(string tampering, string position)
    {
        await AppendAsync(3);
        await Checkpointer.CheckpointAsync(Ct);
        await AppendManyAsync(700);
        switch (tampering)
        {
            case "modify-in-a-later-batch":
                await ExecuteRawAsync("UPDATE audit_log SET decision = 'deny' WHERE seq = 650");
                break;
            case "delete-in-a-later-batch":
                await ExecuteRawAsync("DELETE FROM audit_log WHERE seq = 650");
                break;
            default:
                // The stored hash before the range no longer is the one the last checkpoint signed.
                await ExecuteRawAsync($"UPDATE audit_log SET hash = {Bytes(new string('a', 64))} WHERE seq = 3");
                break;
        }

        var error = await Assert.ThrowsAsync<AuditChainBrokenException>(() => Checkpointer.CheckpointAsync(Ct));

        Assert.Contains(position, error.Message, StringComparison.Ordinal);
        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        Assert.Single(await read.Get<IAuditRepository>().ReadCheckpointsAsync(Ct));
    }

    /// <summary>Appends through the group-commit writer, many events per transaction (decisions, every other one with details).</summary>
    private async Task AppendManyAsync(int count) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => Trail.AppendAsync(
            new AuditEvent
            {
                Type = "decision",
                Subject = $"Workload::\"spiffe://demo.mandate.local/s{i % 7}\"",
                Decision = "allow",
                Details = i % 2 == 0 ? new Dictionary<string, string>(StringComparer.Ordinal) { ["decision_id"] = "d" + i } : null,
            },
            Ct)));

    [Fact]
    public async Task Export_ShouldVerifyOffline_WithOnlyThePinnedPublicKey()
    {
        await AppendAsync(7);
        await Checkpointer.CheckpointAsync(Ct);
        await AppendAsync(2);
        var lines = await ExportAsync();
        IReadOnlyList<AuditPublicKey> keys;
        await using (var read = await Store.BeginAsync(StoreIntent.Read, Ct))
        {
            keys = await read.Get<IAuditRepository>().GetPublicKeysAsync(Ct);
        }

        var result = await AuditExport.VerifyAsync(new StringReader(string.Join('\n', lines)), keys, Ct);

        Assert.True(result.Verified, result.Failure?.ToString());
        Assert.Equal(9, result.Events);
        Assert.Equal(1, result.Checkpoints);
        Assert.Equal(2, result.UnsignedEvents);
    }

    [Fact]
    public async Task Export_ShouldNeverCrashVerify_AndNeverPassWhenARecordWasAltered_UnderRandomCorruption()
    {
        // Seeded, so a failure replays: 400 corruptions of a real export (a checkpoint, signed and unsigned events):
        // a changed, dropped, duplicated, swapped or cut character or line. Verification must answer every time, and
        // must refuse every one that altered an event, checkpoint or end record. (The header only lists keys and
        // metadata; with pinned keys its alteration may be harmless, so only the no-crash half applies to it.)
        await AppendAsync(5);
        await Checkpointer.CheckpointAsync(Ct);
        await AppendAsync(3);
        var lines = await ExportAsync();
        var keys = await PublicKeysAsync();
        var original = string.Join('\n', lines);
        var random = new Random(8785);
        const string alphabet = "{}[]\":,0123456789abcdef-xyzAZ \\é";
        for (var round = 0; round < 400; round++)
        {
            var mutated = lines.ToList();
            var target = random.Next(mutated.Count);
            var line = mutated[target];
            var touchesOnlyHeader = target == 0;
            switch (random.Next(6))
            {
                case 0 when line.Length > 0:
                    var at = random.Next(line.Length);
                    mutated[target] = line[..at] + alphabet[random.Next(alphabet.Length)] + line[(at + 1)..];
                    break;
                case 1 when line.Length > 0:
                    var cut = random.Next(line.Length);
                    mutated[target] = line[..cut] + line[(cut + 1)..];
                    break;
                case 2:
                    mutated.Insert(target, line);
                    touchesOnlyHeader = false;
                    break;
                case 3 when mutated.Count > 1:
                    var other = (target + 1 + random.Next(mutated.Count - 1)) % mutated.Count;
                    (mutated[target], mutated[other]) = (mutated[other], mutated[target]);
                    touchesOnlyHeader = false;
                    break;
                case 4:
                    mutated.RemoveAt(target);
                    touchesOnlyHeader = false;
                    break;
                default:
                    var text = string.Join('\n', mutated);
                    mutated = [text[..random.Next(text.Length)]];
                    touchesOnlyHeader = false;
                    break;
            }

            var corrupted = string.Join('\n', mutated);
            var result = await AuditExport.VerifyAsync(new StringReader(corrupted), keys, Ct);
            if (corrupted != original && !touchesOnlyHeader)
            {
                Assert.False(result.Verified, $"round {round}: a corrupted export verified:\n{corrupted}");
                Assert.NotNull(result.Failure);
            }
        }
    }

    [Fact]
    public async Task Export_ShouldFail_WhenPinnedToAnotherKey()
    {
        await AppendAsync(3);
        await Checkpointer.CheckpointAsync(Ct);
        var lines = await ExportAsync();
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var kid = System.Text.Json.JsonDocument.Parse(lines[0]).RootElement.GetProperty("keys")[0].GetProperty("kid").GetString()!;

        var result = await AuditExport.VerifyAsync(new StringReader(string.Join('\n', lines)), [AuditPublicKey.FromEcdsa(kid, other)], Ct);

        Assert.False(result.Verified);
        Assert.Contains("signature does not verify", result.Failure!.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("modify", "line 4 (event 3)", "the event was modified")]
    [InlineData("delete", "line 4 (event 4)", "event 3 is missing")]
    [InlineData("swap", "line 3 (event 3)", "event 2 is missing")]
    [InlineData("insert", "line 4 (event 2)", "event 2 appears where event 3 belongs")]
    [InlineData("truncate-mid-line", "line 6", "not valid JSON")]
    [InlineData("truncate-at-line", "line 6", "truncated after event 5")]
    [InlineData("garbage", "line 3", "not valid JSON")]
    [InlineData("empty", "line 1", "empty")]
    [InlineData("no-header", "line 1", "does not start with its header")]
    [InlineData("appended", "line 10", "after the end record")]
    [InlineData("forged-checkpoint", "line 7", "signature does not verify")]
    [InlineData("end-count", "line 9", "announces")]
    [InlineData("tree-size", "line 7", "tree_size 6 does not match")]
    [InlineData("dropped-checkpoint", "line 8", "announces 1 checkpoints, but the file holds 0")]
    public async Task ExportVerification_ShouldGiveLineAndReason_ForEveryCorruption(string corruption, string position, string reason)
    {
        await AppendAsync(5);
        await Checkpointer.CheckpointAsync(Ct);
        await AppendAsync(1);
        var lines = await ExportAsync();
        // header, events 1-5 (lines 2-6), checkpoint (line 7), event 6 (line 8), end (line 9)
        Assert.Equal(9, lines.Count);
        string text;
        switch (corruption)
        {
            case "modify":
                lines[3] = lines[3].Replace("note-3", "note-Y", StringComparison.Ordinal);
                text = string.Join('\n', lines);
                break;
            case "delete":
                lines.RemoveAt(3);
                text = string.Join('\n', lines);
                break;
            case "swap":
                (lines[2], lines[3]) = (lines[3], lines[2]);
                text = string.Join('\n', lines);
                break;
            case "insert":
                lines.Insert(3, lines[2]);
                text = string.Join('\n', lines);
                break;
            case "truncate-mid-line":
                text = string.Join('\n', lines)[..(string.Join('\n', lines.Take(5)).Length + 40)];
                break;
            case "truncate-at-line":
                text = string.Join('\n', lines.Take(6)) + "\n";
                break;
            case "garbage":
                lines[2] = "\u0001\u0002 not json at all {";
                text = string.Join('\n', lines);
                break;
            case "empty":
                text = string.Empty;
                break;
            case "no-header":
                text = string.Join('\n', lines.Skip(1));
                break;
            case "appended":
                text = string.Join('\n', lines) + "\n" + lines[1];
                break;
            case "forged-checkpoint":
                lines[6] = lines[6].Replace("\"to\":5", "\"to\":4", StringComparison.Ordinal).Replace("\"tree_size\":5", "\"tree_size\":4", StringComparison.Ordinal);
                text = string.Join('\n', lines);
                break;
            case "tree-size":
                lines[6] = lines[6].Replace("\"tree_size\":5", "\"tree_size\":6", StringComparison.Ordinal);
                text = string.Join('\n', lines);
                break;
            case "dropped-checkpoint":
                lines.RemoveAt(6);
                text = string.Join('\n', lines);
                break;
            default:
                lines[8] = lines[8].Replace("\"events\":6", "\"events\":7", StringComparison.Ordinal);
                text = string.Join('\n', lines);
                break;
        }

        var result = await AuditExport.VerifyAsync(new StringReader(text), null, Ct);

        Assert.False(result.Verified);
        Assert.Equal(position, result.Failure!.Position);
        Assert.Contains(reason, result.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_ShouldFilterByIdentityTaskCredentialDecisionTypeAndTime()
    {
        const string agent = "spiffe://demo.mandate.local/agent/support-assistant";
        await Trail.AppendAsync(new AuditEvent { Type = "credential.issued", Actor = "spiffe://demo.mandate.local/mandate", Subject = agent, CredentialId = "jti-1", TaskId = "task-1" }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "decision", Subject = "spiffe://demo.mandate.local/svc/billing", Chain = [agent], Decision = "deny", CredentialId = "jti-2" }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "decision", Subject = agent, Decision = "allow", CredentialId = "jti-1", TaskId = "task-1" }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "other", Subject = "spiffe://demo.mandate.local/ci/github/deploy-pipeline" }, Ct);

        async Task<long[]> Seqs(AuditQuery query)
        {
            await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
            return [.. (await read.Get<IAuditRepository>().QueryAsync(query, Ct)).Select(r => r.Sequence)];
        }

        Assert.Equal(new long[] { 1L, 2, 3 }, await Seqs(new AuditQuery { Identity = agent }));
        Assert.Equal(new long[] { 1L, 3 }, await Seqs(new AuditQuery { TaskId = "task-1" }));
        Assert.Equal(new long[] { 1L, 3 }, await Seqs(new AuditQuery { CredentialId = "jti-1" }));
        Assert.Equal(new long[] { 2L }, await Seqs(new AuditQuery { Decision = "deny" }));
        Assert.Equal(new long[] { 1L }, await Seqs(new AuditQuery { Type = "credential." }));
        Assert.Equal(new long[] { 3L }, await Seqs(new AuditQuery { Identity = agent, Decision = "allow" }));
        Assert.Equal(new long[] { 3L, 4 }, await Seqs(new AuditQuery { AfterSequence = 2 }));
        Assert.Empty(await Seqs(new AuditQuery { Since = DateTimeOffset.UtcNow.AddDays(1) }));
        Assert.Equal(new long[] { 1L, 2, 3, 4 }, await Seqs(new AuditQuery { Since = DateTimeOffset.UtcNow.AddHours(-1), Until = DateTimeOffset.UtcNow.AddHours(1) }));
    }

    [Fact]
    public async Task Timeline_ShouldReconstructADelegatedTask_EndToEnd()
    {
        const string user = "spiffe://demo.mandate.local/svc/billing";
        const string agent = "spiffe://demo.mandate.local/agent/support-assistant";
        const string mandate = "spiffe://demo.mandate.local/mandate";
        await Trail.AppendAsync(new AuditEvent { Type = "task.opened", Actor = agent, Subject = agent, TaskId = "task-7", Reason = "answer ticket 42" }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "credential.issued", Actor = mandate, Subject = agent, CredentialId = "jti-task", TaskId = "task-7", Details = new Dictionary<string, string> { ["kind"] = "task", ["scope"] = "tickets:read", ["expires_at"] = "2026-01-01T00:10:00Z" } }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "token.exchanged", Actor = agent, Subject = user, Chain = [agent], CredentialId = "jti-delegated", TaskId = "task-7", Details = new Dictionary<string, string> { ["parent_jti"] = "jti-task", ["scope"] = "tickets:read" } }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "credential.used", Subject = agent, CredentialId = "jti-task", Action = "read", Resource = "ticket:42" }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "decision", Subject = user, Chain = [agent], CredentialId = "jti-delegated", Action = "read", Resource = "ticket:42", Decision = "allow", PolicyVersion = "pv-1" }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "decision", Subject = user, Chain = [agent], CredentialId = "jti-delegated", Action = "write", Resource = "https://evil.example/upload", Decision = "deny", PolicyVersion = "pv-1", Reason = "cross-domain write" }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "credential.revoked", Actor = "admin", CredentialId = "jti-task", Reason = "task closed" }, Ct);

        AuditTimeline timeline;
        await using (var read = await Store.BeginAsync(StoreIntent.Read, Ct))
        {
            timeline = await AuditTimelineBuilder.BuildAsync(read, agent, Ct);
        }

        var credential = Assert.Single(timeline.Credentials);
        Assert.Equal("jti-task", credential.Jti);
        Assert.Equal("task-7", credential.TaskId);
        Assert.Equal("tickets:read", credential.Scope);
        Assert.Equal(["credential.used"], credential.Uses.Select(u => u.Type));
        Assert.Equal("admin", credential.RevokedBy);
        Assert.Equal("task closed", credential.RevocationReason);
        var delegation = Assert.Single(timeline.Delegations);
        Assert.Equal((agent, user, "jti-task"), (delegation.From, delegation.To, delegation.ParentJti));
        Assert.Equal(["allow", "deny"], timeline.Decisions.Select(d => d.Decision));
        Assert.Equal(7, timeline.Events.Count);

        AuditTimeline userTimeline;
        await using (var read = await Store.BeginAsync(StoreIntent.Read, Ct))
        {
            userTimeline = await AuditTimelineBuilder.BuildAsync(read, user, Ct);
        }

        var delegated = Assert.Single(userTimeline.Credentials);
        Assert.Equal(("jti-delegated", "jti-task"), (delegated.Jti, delegated.ParentJti));
        Assert.Equal(2, delegated.Uses.Count);
        Assert.Null(delegated.RevokedAt);
    }

    [Fact]
    public async Task Timeline_ShouldUnderstandTheEventsTheOtherFeaturesEmit()
    {
        const string agent = "spiffe://demo.mandate.local/agent/support-assistant";
        const string user = "spiffe://demo.mandate.local/svc/billing";
        await Trail.AppendAsync(new AuditEvent { Type = "identity.jwt_svid_issued", Actor = "admin", Subject = agent, CredentialId = "jti-svid" }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "task.opened", Actor = agent, Subject = agent, CredentialId = "jti-task", TaskId = "task-9" }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "credential.exchanged", Actor = agent, Subject = user, Chain = [agent], CredentialId = "jti-x", TaskId = "task-9", Details = new Dictionary<string, string> { ["parent_jti"] = "jti-task" } }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "decision", Subject = agent, CredentialId = "jti-task", Action = "read", Resource = "ticket:1", Decision = "allow" }, Ct);
        await Trail.AppendAsync(new AuditEvent { Type = "credential.revoked", Actor = "admin", CredentialId = "jti-task", Reason = "task closed" }, Ct);

        AuditTimeline timeline;
        await using (var read = await Store.BeginAsync(StoreIntent.Read, Ct))
        {
            timeline = await AuditTimelineBuilder.BuildAsync(read, agent, Ct);
        }

        Assert.Equal(["jwt-svid", "task"], timeline.Credentials.Select(c => c.Kind));
        var task = timeline.Credentials.Single(c => c.Jti == "jti-task");
        Assert.Equal(["decision"], task.Uses.Select(u => u.Type));
        Assert.Equal("task closed", task.RevocationReason);
        Assert.Equal((agent, user), (timeline.Delegations.Single().From, timeline.Delegations.Single().To));
    }

    [Fact]
    public async Task StoredEvents_ShouldNeverHoldAToken()
    {
        const string jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzcGlmZmU6Ly9kZW1vIn0.c2lnbmF0dXJlYnl0ZXM";
        await Trail.AppendAsync(new AuditEvent { Type = "credential.used", Reason = "token " + jwt, Details = new Dictionary<string, string> { ["access_token"] = "opaque-secret-value" } }, Ct);

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        await foreach (var record in read.Get<IAuditRepository>().ReadAsync(1, Ct))
        {
            Assert.DoesNotContain(jwt, record.CanonicalJson, StringComparison.Ordinal);
            Assert.DoesNotContain("opaque-secret-value", record.CanonicalJson, StringComparison.Ordinal);
        }
    }

    protected async Task AppendAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await using var session = await Store.BeginAsync(StoreIntent.Write, Ct);
            var head = await session.Get<IAuditRepository>().GetHeadAsync(Ct);
            var next = (head?.Sequence ?? 0) + 1;
            await Trail.RecordAsync(session, new AuditEvent { Type = "test.note", Actor = "spiffe://demo.mandate.local/a", Reason = $"note-{next}" }, Ct);
            await session.CommitAsync(Ct);
        }
    }

    private async Task<List<string>> ExportAsync()
    {
        using var stream = new MemoryStream();
        await AuditExport.WriteJsonLinesAsync(Store, stream, 1, long.MaxValue, TimeProvider.System, Ct);
        return [.. Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private async Task InsertForgedRowAsync(long at)
    {
        string previousHash;
        await using (var read = await Store.BeginAsync(StoreIntent.Read, Ct))
        {
            previousHash = (await read.Get<IAuditRepository>().QueryAsync(new AuditQuery { AfterSequence = at - 2, Limit = 1 }, Ct))[0].Hash;
        }

        await ExecuteRawAsync($"UPDATE audit_log SET seq = seq + 1000 WHERE seq >= {at}");
        await ExecuteRawAsync($"UPDATE audit_log SET seq = seq - 999 WHERE seq >= {at + 1000}");
        var time = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var body = AuditCanonicalForm.Serialize(at, time, new AuditEvent { Type = "forged" });
        var hash = AuditHashing.ChainHash(previousHash, body);
        await ExecuteRawAsync("INSERT INTO audit_strings (value) VALUES ('forged')");
        await ExecuteRawAsync(
            $"INSERT INTO audit_log (seq, time_ms, type_id, hash) VALUES ({at}, {time.ToUnixTimeMilliseconds()}, (SELECT id FROM audit_strings WHERE value = 'forged'), {Bytes(hash)})");
    }

    /// <summary>The careful attacker: rewrites an event and recomputes every later hash so the chain alone still links.</summary>
    private async Task RewriteAndRehashAsync(long at)
    {
        var rows = new List<StoredAuditRecord>();
        await using (var read = await Store.BeginAsync(StoreIntent.Read, Ct))
        {
            await foreach (var record in read.Get<IAuditRepository>().ReadAsync(1, Ct))
            {
                rows.Add(record);
            }
        }

        var previous = rows[(int)at - 2].Hash;
        foreach (var row in rows.Where(r => r.Sequence >= at))
        {
            var stored = row.Sequence == at ? row.Row! with { Reason = "note-Z" } : row.Row!;
            var hash = AuditHashing.ChainHash(previous, stored.Body());
            await ExecuteRawAsync($"UPDATE audit_log SET reason = '{stored.Reason}', hash = {Bytes(hash)} WHERE seq = {row.Sequence}");
            previous = hash;
        }
    }
}
