using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Mandate.Core.Governance.Findings;
using Mandate.Core.Storage;
using Mandate.Storage.Postgres;
using Mandate.Storage.Relational;
using Mandate.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Mandate.Storage.Tests.Governance;

/// <summary>
/// Migration 0632 (compact finding rows) against findings stored before it: every finding reads back as it was (its
/// remediation text, status, times and acceptance), and its digest is either the integer the old hex digest began with
/// (PostgreSQL converts it, so an unchanged estate writes nothing at its next recompute) or none (SQLite, whose next
/// recompute rewrites each row once).
/// </summary>
public abstract class FindingsCompactMigrationTests : IAsyncLifetime
{
    private const int Version = 632;

    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Whether the migration keeps the old digests (as the integer they began with) rather than dropping them.</summary>
    private protected abstract bool KeepsDigests { get; }

    private protected abstract Task CreateEmptyDatabaseAsync();

    private protected abstract Task<DbConnection> OpenAsync();

    private protected abstract IMandateStore OpenStore();

    private protected abstract Assembly MigrationAssembly { get; }

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private static Finding Make(string kind, string identity, string remediation) => new()
    {
        Id = FindingRules.Id(kind, "aws", identity, null),
        Kind = kind,
        Severity = "medium",
        Source = "aws",
        Identity = identity,
        Owner = "team:m",
        Summary = kind + " of " + identity,
        Evidence = [FindingEvidence.Field("access_key_1_last_used_date", "2026-01-01T00:00:00Z", "aws")],
        Remediation = remediation,
        FirstSeen = Now,
        LastSeen = Now.AddHours(1),
    };

    [Fact]
    public async Task OldFindings_ShouldReadBackAsTheyWere_WithTheirDigestsConvertedOrDropped()
    {
        var findings = new[]
        {
            Make(FindingKinds.Stale, "arn:one", FindingRemediations.Stale),
            Make(FindingKinds.ExpiredActive, "arn:two", "Deactivate its credentials or extend its expiry with a reason.") with
            {
                Status = "accepted", AcceptedReason = "known", AcceptedBy = "operator:alice", AcceptedUntil = Now.AddDays(3),
            },
            Make(FindingKinds.UnusedGrant, "arn:three", "Remove it.") with { Status = "resolved", ResolvedAt = Now.AddHours(2) },
        };

        await CreateEmptyDatabaseAsync();
        var connection = await OpenAsync();
        await using (connection)
        {
            await OldSchema.ApplyAsync(connection, MigrationAssembly, version => version >= Version, Ct);

            foreach (var f in findings)
            {
                // The old digest: 32 hex digits, the first 16 of which are the digest's value today.
                var hex = FindingDigest.Of(f).ToString("x16", CultureInfo.InvariantCulture) + "0123456789abcdef";
                await ExecuteAsync(
                    connection,
                    "INSERT INTO findings (id, kind, severity, source, identity, owner, summary, evidence, remediation, status, first_seen, last_seen, resolved_at, accepted_reason, accepted_by, accepted_until, digest) VALUES ("
                    + string.Join(", ", Literal(f.Id), Literal(f.Kind), Literal(f.Severity), Literal(f.Source), Literal(f.Identity), Literal(f.Owner), Literal(f.Summary),
                        Literal(Mandate.Storage.Relational.Repositories.FindingEvidenceJson.Encode(f.Evidence)), Literal(f.Remediation), Literal(f.Status),
                        Number(f.FirstSeen), Number(f.LastSeen), Number(f.ResolvedAt), Literal(f.AcceptedReason), Literal(f.AcceptedBy), Number(f.AcceptedUntil), Literal(hex))
                    + ")");
            }
        }

        await using var store = OpenStore();
        await store.MigrateAsync(Ct);
        await using var read = await store.BeginAsync(StoreIntent.Read, Ct);
        var repository = read.Get<IFindingRepository>();
        var stored = (await repository.ListAsync(new FindingQuery(), Ct)).ToDictionary(f => f.Id, StringComparer.Ordinal);
        Assert.Equal(findings.Length, stored.Count);
        foreach (var f in findings)
        {
            var back = stored[f.Id];
            Assert.Equal(f.Evidence, back.Evidence);
            Assert.Equal(f with { Evidence = back.Evidence }, back);
        }

        var states = (await repository.ListStatesAsync(Ct)).ToDictionary(s => s.Id, StringComparer.Ordinal);
        Assert.All(findings, f => Assert.Equal(KeepsDigests ? FindingDigest.Of(f) : null, states[f.Id].Digest));
    }

    private static string Literal(string? value) => value is null ? "NULL" : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Number(DateTimeOffset? value) => value is { } v ? v.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "NULL";

    private static Task ExecuteAsync(DbConnection connection, string sql) => OldSchema.ExecuteAsync(connection, sql, Ct);
}

public sealed class SqliteFindingsCompactMigrationTests : FindingsCompactMigrationTests
{
    private readonly string path = TempPaths.NewFile("findings-compact", ".db");

    private protected override bool KeepsDigests => false;

    private protected override Assembly MigrationAssembly => typeof(SqliteStore).Assembly;

    private protected override Task CreateEmptyDatabaseAsync() => Task.CompletedTask;

    private protected override async Task<DbConnection> OpenAsync()
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(Ct);
        return connection;
    }

    private protected override IMandateStore OpenStore() => new SqliteStore(path);
}

public sealed class PostgresFindingsCompactMigrationTests : FindingsCompactMigrationTests
{
    private string connectionString = string.Empty;

    private protected override bool KeepsDigests => true;

    private protected override Assembly MigrationAssembly => typeof(PostgresStore).Assembly;

    private protected override async Task CreateEmptyDatabaseAsync() => connectionString = await PostgresTestDatabase.CreateSchemaAsync();

    private protected override async Task<DbConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        return connection;
    }

    private protected override IMandateStore OpenStore() => new PostgresStore(connectionString);
}
