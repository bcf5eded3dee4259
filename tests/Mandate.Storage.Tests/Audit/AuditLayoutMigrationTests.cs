using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Storage.Relational;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Storage.Tests.Audit;

/// <summary>
/// Migration 0320 (the compact ledger layout) against a ledger written in the layout before it: every earlier migration
/// applied, rows stored as they were (body, copies of its fields, prev_hash and hash as hex) with a signed checkpoint.
/// After the migration the chain verifies with the same hashes, the checkpoint and an inclusion proof still verify, and
/// queries find what they found; a ledger whose rows do not rebuild their stored bodies is refused and left as it was.
/// </summary>
public abstract class AuditLayoutMigrationTests : IAsyncLifetime
{
    private const int Events = 30;

    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_123);

    private readonly ECDsa signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An empty database (nothing migrated).</summary>
    private protected abstract Task CreateEmptyDatabaseAsync();

    private protected abstract Task<DbConnection> OpenAsync();

    private protected abstract IMandateStore OpenStore();

    private protected abstract Assembly MigrationAssembly { get; }

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        signer.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task OldLedger_ShouldMigrate_AndVerifyWithTheSameHashesCheckpointAndProofs()
    {
        var old = await WriteOldLedgerAsync(tamperColumnAt: null);
        var pinned = new[] { AuditPublicKey.FromEcdsa("old-key", signer) };

        await using var store = OpenStore();
        await store.MigrateAsync(Ct);

        await AssertMigratedAsync(store, old, pinned);
    }

    [Fact]
    public async Task CompactLedger_ShouldTakeMigration0321_AndVerifyWithTheSameHashesCheckpointAndProofs()
    {
        // A ledger in the 0320 layout (converted from the old one), then only 0321 (leaner indexes) applied by the store.
        var old = await WriteOldLedgerAsync(tamperColumnAt: null);
        await using (var connection = await OpenAsync())
        {
            using var reader = new StreamReader(MigrationAssembly.GetManifestResourceStream("migrations/0320_audit_compact.sql")!);
            foreach (var (statements, _) in Migrator.Steps(await reader.ReadToEndAsync(Ct)))
            {
                foreach (var statement in statements)
                {
                    await ExecuteAsync(connection, statement);
                }
            }

            await ExecuteAsync(connection, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (320, 'audit_compact', 0)");
            Assert.Equal(["audit_log_actor", "audit_log_subject"], await IndexesAsync(connection, "audit_log_actor", "audit_log_subject"));
        }

        await using var store = OpenStore();
        await store.MigrateAsync(Ct);

        await using (var connection = await OpenAsync())
        {
            Assert.Empty(await IndexesAsync(connection, "audit_log_actor", "audit_log_subject"));
            await AssertTimeIndexAsync(connection);
        }

        await AssertMigratedAsync(store, old, [AuditPublicKey.FromEcdsa("old-key", signer)]);
    }

    /// <summary>Which of <paramref name="names"/> are indexes of the database, in order.</summary>
    private protected abstract Task<List<string>> IndexesAsync(DbConnection connection, params string[] names);

    /// <summary>The time index after 0321 is what the store's migration made it.</summary>
    private protected abstract Task AssertTimeIndexAsync(DbConnection connection);

    /// <summary>The migrated ledger verifies with the old hashes, checkpoint and proofs, and queries find what they found.</summary>
    private async Task AssertMigratedAsync(IMandateStore store, List<OldRow> old, AuditPublicKey[] pinned)
    {
        var result = await AuditStoreVerifier.VerifyAsync(store, pinned, Ct);
        Assert.True(result.Verified, result.Failure?.ToString());
        Assert.Equal(Events, result.Events);
        Assert.Equal(1, result.Checkpoints);
        Assert.Equal(old[^1].Hash, result.HeadHash);
        var fromCheckpoint = await AuditStoreVerifier.VerifyFromLastCheckpointAsync(store, Ct);
        Assert.True(fromCheckpoint!.Verified, fromCheckpoint.Failure?.ToString());

        await using (var read = await store.BeginAsync(StoreIntent.Read, Ct))
        {
            var repository = read.Get<IAuditRepository>();
            var i = 0;
            await foreach (var record in repository.ReadAsync(1, Ct))
            {
                // The very bytes that were hashed, rebuilt from the compact row, and the hash and link as stored before.
                Assert.Equal(old[i].Body, record.CanonicalJson);
                Assert.Equal(old[i].Hash, record.Hash);
                Assert.Equal(old[i].PreviousHash, record.PreviousHash);
                i++;
            }

            Assert.Equal(Events, i);
            var delegated = await repository.QueryAsync(new AuditQuery { Identity = "spiffe://demo.mandate.local/agent/résumé+<parser>" }, Ct);
            Assert.Equal(old.Where(o => o.Event.Chain is not null).Select(o => o.Sequence), delegated.Select(r => r.Sequence));
            var decisions = await repository.QueryAsync(new AuditQuery { Type = "decision", Decision = "deny" }, Ct);
            Assert.Equal(old.Where(o => o.Event.Decision == "deny").Select(o => o.Sequence), decisions.Select(r => r.Sequence));
            Assert.Equal(old[4].Event.Details, decisions.Single(r => r.Sequence == 5).Event.Details);
        }

        var (proof, unavailable) = await AuditInclusionProofs.BuildAsync(store, 7, Ct);
        Assert.Null(unavailable);
        Assert.Equal(old[6].Body, proof!.CanonicalJson);
        Assert.True(AuditInclusionProofs.Verify(proof, pinned).Verified);

        // Readers that filter by the old column names (the governance usage fold, the detection cursors) still can.
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM audit_events WHERE type = 'decision' AND subject IS NOT NULL";
        Assert.Equal(old.Count(o => o.Event.Type == "decision"), Convert.ToInt32(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task OldLedger_WhoseRowDoesNotRebuildItsBody_ShouldBeRefused_AndLeftAsItWas()
    {
        await WriteOldLedgerAsync(tamperColumnAt: 7);

        await using var store = OpenStore();
        var error = await Assert.ThrowsAsync<StoreException>(() => store.MigrateAsync(Ct));

        Assert.Contains("event 7", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", error.Message, StringComparison.Ordinal);
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(body) FROM audit_events";
        Assert.Equal(Events, Convert.ToInt32(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture));
        command.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE version = 320";
        Assert.Equal(0, Convert.ToInt32(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture));
    }

    private sealed record OldRow(long Sequence, AuditEvent Event, string Body, string PreviousHash, string Hash);

    /// <summary>Every migration but 0320 and 0321, then the rows as the layout before it stored them, and one signed checkpoint.</summary>
    private async Task<List<OldRow>> WriteOldLedgerAsync(long? tamperColumnAt)
    {
        await CreateEmptyDatabaseAsync();
        await using var connection = await OpenAsync();
        await OldSchema.ApplyAsync(connection, MigrationAssembly, version => version is 320 or 321, Ct);

        var rows = new List<OldRow>();
        var previous = AuditHashing.GenesisHash;
        for (var seq = 1L; seq <= Events; seq++)
        {
            var e = OldEvent(seq);
            var time = Start.AddSeconds(seq);
            var body = AuditCanonicalForm.Serialize(seq, time, e);
            var hash = AuditHashing.ChainHash(previous, body);
            rows.Add(new OldRow(seq, e, body, previous, hash));
            var c = AuditRow.From(seq, time, e);
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO audit_events (seq, time_ms, type, actor, subject, action, resource, decision, jti, task_id, request_id, body, prev_hash, hash, chain, policy_version) "
                + "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15)";
            object?[] values =
            [
                seq, c.TimeMilliseconds, c.Type, seq == tamperColumnAt ? "spiffe://evil.example/x" : c.Actor, c.Subject, c.Action, c.Resource,
                c.Decision, c.CredentialId, c.TaskId, c.RequestId, body, previous, hash, c.Chain, c.PolicyVersion,
            ];
            for (var i = 0; i < values.Length; i++)
            {
                var parameter = insert.CreateParameter();
                parameter.ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                parameter.Value = values[i] ?? DBNull.Value;
                insert.Parameters.Add(parameter);
            }

            await insert.ExecuteNonQueryAsync(Ct);
            previous = hash;
        }

        // One checkpoint over 1..20, signed as the checkpointer signs: the Merkle root of the bodies and the chain hash.
        var tree = new MerkleTreeBuilder();
        rows.Take(20).ToList().ForEach(r => tree.AddLeaf(Encoding.UTF8.GetBytes(r.Body)));
        var root = Convert.ToHexStringLower(tree.RootHash());
        var input = AuditCheckpoint.SigningInput(1, 20, root, rows[19].Hash, Start, "old-key", AuditPublicKey.Es256);
        var signature = Base64UrlEncoder.Encode(signer.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        await ExecuteAsync(
            connection,
            $"INSERT INTO audit_checkpoints (from_seq, to_seq, root_hash, chain_hash, time_ms, kid, alg, signature) VALUES (1, 20, '{root}', '{rows[19].Hash}', {Start.ToUnixTimeMilliseconds()}, 'old-key', 'ES256', '{signature}')");
        await using (var key = connection.CreateCommand())
        {
            // The public key, as the store keeps it (the check from the last checkpoint trusts the store's keys).
            key.CommandText = "INSERT INTO audit_signing_keys (kid, public_jwk, sealed_private_key, created_at) VALUES ('old-key', @jwk, @sealed, 0)";
            var jwk = key.CreateParameter();
            jwk.ParameterName = "@jwk";
            jwk.Value = AuditPublicKey.FromEcdsa("old-key", signer).ToJwkJson();
            key.Parameters.Add(jwk);
            var sealedKey = key.CreateParameter();
            sealedKey.ParameterName = "@sealed";
            sealedKey.Value = new byte[] { 1, 2, 3 };
            key.Parameters.Add(sealedKey);
            await key.ExecuteNonQueryAsync(Ct);
        }

        return rows;
    }

    /// <summary>Events of every shape the ledger writes: optional fields absent or present, delegation chains with
    /// characters JSON escapes differently (non-ASCII, '+', '&lt;', quotes), details with control characters.</summary>
    private static AuditEvent OldEvent(long seq) => (seq % 5) switch
    {
        0 => new AuditEvent
        {
            Type = "decision",
            Actor = "pep:gateway",
            Subject = $"Workload::\"spiffe://estate.example/agent/a{seq}\"",
            Action = "Action::\"read\"",
            Resource = $"Dataset::\"ds-{seq}\"",
            Decision = seq % 10 == 0 ? "allow" : "deny",
            PolicyVersion = "4ba259f57252f88d",
            Reason = "support-read-data",
            RequestId = $"req-{seq}",
            Details = new Dictionary<string, string> { ["decision_id"] = $"d{seq}", ["client"] = "10.1.2.3", ["note"] = "tab\tquote\" back\\slash \u0001 é 😀 </script>" },
        },
        1 => new AuditEvent
        {
            Type = "token.exchanged",
            Actor = "spiffe://demo.mandate.local/agent/support-assistant",
            Subject = "spiffe://demo.mandate.local/svc/billing",
            Chain = ["spiffe://demo.mandate.local/agent/résumé+<parser>", "spiffe://demo.mandate.local/agent/support-assistant"],
            CredentialId = $"jti-{seq}",
            TaskId = "task-1",
            Details = new Dictionary<string, string> { ["parent_jti"] = "jti-0", ["scope"] = "invoices:read" },
        },
        2 => new AuditEvent { Type = "test.note" },
        3 => new AuditEvent { Type = "decision", Actor = "pep:gateway", Subject = "User::\"ünïcode\"", Decision = "allow", Reason = "line\nbreak" },
        _ => new AuditEvent { Type = "credential.revoked", Actor = "admin", Subject = "spiffe://demo.mandate.local/svc/billing", CredentialId = $"jti-{seq}", Resource = "task:1", Reason = "closed" },
    };

    private static Task ExecuteAsync(DbConnection connection, string sql) => OldSchema.ExecuteAsync(connection, sql, Ct);
}
