using Mandate.Core.Governance.Findings;
using Mandate.Core.Storage;
using Mandate.Storage.Postgres;
using Mandate.Storage.Sqlite;

namespace Mandate.Storage.Tests.Governance;

/// <summary>Findings round-trip and filter the same on every store.</summary>
public abstract class FindingStoreContractTests : MigratedStoreTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000);

    private static Finding Make(string kind, string identity, string? owner, string status = "open") => new()
    {
        Id = FindingRules.Id(kind, "aws", identity, null),
        Kind = kind,
        Severity = "medium",
        Source = "aws",
        Identity = identity,
        Owner = owner,
        Summary = kind + " " + identity,
        Evidence = [FindingEvidence.Field("access_key_1_last_used_date", "2026-01-01T00:00:00Z", "aws"), new FindingEvidence { Kind = "ledger", Sequence = 42 }],
        Remediation = "fix it",
        FirstSeen = Now,
        LastSeen = Now,
        Status = status,
        ResolvedAt = status == "resolved" ? Now.AddHours(1) : null,
    };

    [Fact]
    public async Task Findings_ShouldRoundTrip_Replace_AndFilter()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IFindingRepository>();
            await repository.UpsertAsync([Make("stale", "arn:a", null), Make("no_owner", "arn:a", null), Make("stale", "arn:b", "team:x")], Ct);
            await repository.UpsertAsync([Make("stale", "arn:b", "team:x", "resolved")], Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var stored = read.Get<IFindingRepository>();
        var all = await stored.ListAsync(new FindingQuery(), Ct);
        Assert.Equal(3, all.Count);
        var first = all.Single(f => f.Kind == "no_owner");
        Assert.Equal(Make("no_owner", "arn:a", null).Evidence, first.Evidence);
        Assert.Null(first.Owner);
        Assert.Equal(2, (await stored.ListAsync(new FindingQuery { Identity = "arn:a" }, Ct)).Count);
        var resolved = Assert.Single(await stored.ListAsync(new FindingQuery { Status = "resolved" }, Ct));
        Assert.Equal(Now.AddHours(1), resolved.ResolvedAt);
        Assert.Single(await stored.ListAsync(new FindingQuery { Owner = "team:x" }, Ct));
        Assert.Equal(2, (await stored.ListAsync(new FindingQuery { Kind = "stale" }, Ct)).Count);
    }

    [Fact]
    public async Task BulkInsert_ShouldStoreEveryFinding_AndLeaveTheConnectionAsItWas()
    {
        // Large enough for SQLite's bulk-insert page cache (rows × 96 bytes above its 2,000 KiB default).
        const int Count = 30_000;
        var findings = Enumerable.Range(0, Count).Select(i => Make(i % 2 == 0 ? "stale" : "rotation_overdue", $"arn:bulk-{i / 2:D5}", "team:bulk")).ToList();
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var before = await CacheSizeAsync(session);
            await session.Get<IFindingRepository>().InsertAsync(findings, Ct);
            Assert.Equal(before, await CacheSizeAsync(session));

            // Inserted again (another node's recompute got there first): the stored rows stand, nothing doubles.
            await session.Get<IFindingRepository>().InsertAsync([.. findings.Take(10).Select(f => f with { Summary = "other" })], Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var states = await read.Get<IFindingRepository>().ListStatesAsync(Ct);
        Assert.Equal(Count, states.Count);
        Assert.Equal(findings.Select(f => f.Id).Order(StringComparer.Ordinal), states.Select(s => s.Id).Order(StringComparer.Ordinal));
        var digests = findings.ToDictionary(f => f.Id, FindingDigest.Of, StringComparer.Ordinal);
        Assert.All(states, s => Assert.Equal(digests[s.Id], s.Digest));
        var one = Assert.Single(await read.Get<IFindingRepository>().ListAsync(new FindingQuery { Id = findings[3].Id }, Ct));
        Assert.Equal(findings[3].Summary, one.Summary);
        Assert.Equal(Count / 2, (await read.Get<IFindingRepository>().ListAsync(new FindingQuery { Kind = "stale", Status = "open" }, Ct)).Count);
    }

    [Fact]
    public async Task BulkInsert_ShouldStoreEveryFinding_WhateverOrderItsIdentitiesComeIn()
    {
        // Written in identity order whatever the order given: the sorted head, the unsorted tail, repeated identities.
        var random = new Random(7);
        var head = Enumerable.Range(0, 6_000).Select(i => Make(i % 3 == 0 ? "stale" : i % 3 == 1 ? "no_owner" : "rotation_overdue", $"arn:order-{i / 3:D5}", "team:o"));
        var tail = Enumerable.Range(0, 1_500).Select(i => Make("orphaned", $"arn:order-{random.Next(3_000):D5}", "team:o")).DistinctBy(f => f.Id);
        var findings = head.Concat(tail).ToList();
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<IFindingRepository>().InsertAsync(findings, Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var stored = (await read.Get<IFindingRepository>().ListAsync(new FindingQuery(), Ct)).ToDictionary(f => f.Id, StringComparer.Ordinal);
        Assert.Equal(findings.Count, stored.Count);
        Assert.All(findings, f => Assert.Equal((f.Kind, f.Identity, f.Summary), (stored[f.Id].Kind, stored[f.Id].Identity, stored[f.Id].Summary)));
        Assert.Equal(findings.Count(f => f.Identity == "arn:order-00042"), (await read.Get<IFindingRepository>().ListAsync(new FindingQuery { Identity = "arn:order-00042" }, Ct)).Count);
    }

    [Fact]
    public async Task Remediation_ShouldNotBeStored_WhenItIsTheKindsStandardText_AndReadBackTheSame()
    {
        var standard = Make(FindingKinds.Stale, "arn:r1", null) with { Remediation = FindingRemediations.Stale };
        var other = Make(FindingKinds.Stale, "arn:r2", null) with { Remediation = "Something else." };
        var noStandard = Make(FindingKinds.UnusedGrant, "arn:r3", null) with { Remediation = "Remove the grant." };
        var empty = Make(FindingKinds.NoOwner, "arn:r4", null) with { Remediation = "" };
        var bulk = Enumerable.Range(0, 3_000).Select(i => Make(FindingKinds.RotationOverdue, $"arn:rb-{i:D4}", null) with { Remediation = FindingRemediations.RotationOverdue }).ToList();
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IFindingRepository>();
            await repository.InsertAsync([standard, other, noStandard, empty, .. bulk], Ct);

            // Accepting a finding writes it again (upsert): still not stored, still read back.
            await repository.UpsertAsync([bulk[7] with { Status = "accepted", AcceptedReason = "r", AcceptedBy = "admin", AcceptedUntil = Now.AddDays(1) }], Ct);
            var relational = (Mandate.Storage.Relational.RelationalSession)session;
            Assert.Equal(1L + bulk.Count, Convert.ToInt64(await relational.ScalarAsync("SELECT COUNT(*) FROM findings WHERE remediation IS NULL", Ct), System.Globalization.CultureInfo.InvariantCulture));
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var stored = (await read.Get<IFindingRepository>().ListAsync(new FindingQuery(), Ct)).ToDictionary(f => f.Id, StringComparer.Ordinal);
        foreach (var finding in new[] { standard, other, noStandard, empty, bulk[0], bulk[7] })
        {
            Assert.Equal(finding.Remediation, stored[finding.Id].Remediation);
        }

        Assert.Equal("accepted", stored[bulk[7].Id].Status);
    }

    [Fact]
    public async Task InsertOpened_ShouldWriteEachFindingAsOpenedThen_WhateverItsStateFieldsSay()
    {
        var at = Now.AddDays(2);
        var findings = Enumerable.Range(0, 3_000).Select(i => Make("stale", $"arn:opened-{i:D4}", "team:o", i % 3 == 0 ? "resolved" : "open") with
        {
            FirstSeen = default,
            LastSeen = default,
            AcceptedReason = i % 5 == 0 ? "stray" : null,
            AcceptedBy = i % 5 == 0 ? "admin" : null,
            AcceptedUntil = i % 5 == 0 ? Now.AddDays(9) : null,
        }).ToList();
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<IFindingRepository>().InsertOpenedAsync(findings, at, Ct);

            // Opened again (another node got there first): the stored rows stand.
            await session.Get<IFindingRepository>().InsertOpenedAsync([findings[1] with { Summary = "other" }], at.AddHours(1), Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var stored = (await read.Get<IFindingRepository>().ListAsync(new FindingQuery(), Ct)).ToDictionary(f => f.Id, StringComparer.Ordinal);
        Assert.Equal(findings.Count, stored.Count);
        Assert.All(findings, f => Assert.Equal(
            f with { Status = "open", FirstSeen = at, LastSeen = at, ResolvedAt = null, AcceptedReason = null, AcceptedBy = null, AcceptedUntil = null, Evidence = stored[f.Id].Evidence },
            stored[f.Id]));
    }

    [Fact]
    public async Task BulkInsert_ShouldFailWhole_WhenARowCannotBeWrittenOrEncoded()
    {
        // Large enough that the evidence is encoded on another core while rows are written.
        var findings = Enumerable.Range(0, 5_000).Select(i => Make("stale", $"arn:bad-{i:D5}", null)).ToList();
        var badRow = findings.ToList();
        badRow[4_321] = badRow[4_321] with { Summary = null! };
        var badEvidence = findings.ToList();
        badEvidence[4_321] = badEvidence[4_321] with { Evidence = null! };
        foreach (var (bad, expected) in new[] { (badRow, "summary"), (badEvidence, "evidence") })
        {
            await using var session = await Store.BeginAsync(StoreIntent.Write, Ct);
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => session.Get<IFindingRepository>().InsertAsync(bad, Ct));
            Assert.Contains(expected, failure.Message, StringComparison.OrdinalIgnoreCase);
        }

        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<IFindingRepository>().InsertAsync(findings, Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        Assert.Equal(findings.Count, (await read.Get<IFindingRepository>().ListStatesAsync(Ct)).Count);
    }

    [Fact]
    public async Task BulkInsert_ShouldKeepEmptyText_AndNonAsciiText()
    {
        // Enough rows to be encoded on another core; empty text is not NULL, and UTF-8 bound as bytes reads back whole.
        var findings = Enumerable.Range(0, 3_000).Select(i => Make("stale", $"arn:é-日本-😀-{i:D5}", "") with
        {
            Summary = "",
            Evidence = i % 2 == 0 ? [] : [FindingEvidence.Field("名前", "värde \"quoted\" 😀", "src")],
        }).ToList();
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<IFindingRepository>().InsertAsync(findings, Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var stored = (await read.Get<IFindingRepository>().ListAsync(new FindingQuery(), Ct)).ToDictionary(f => f.Id, StringComparer.Ordinal);
        Assert.Equal(findings.Count, stored.Count);
        foreach (var finding in findings)
        {
            var back = stored[finding.Id];
            Assert.Equal("", back.Summary);
            Assert.Equal("", back.Owner);
            Assert.Equal(finding.Identity, back.Identity);
            Assert.Equal(finding.Evidence, back.Evidence);
        }

        var digests = findings.ToDictionary(f => f.Id, FindingDigest.Of, StringComparer.Ordinal);
        Assert.All(await read.Get<IFindingRepository>().ListStatesAsync(Ct), s => Assert.Equal(digests[s.Id], s.Digest));
    }

    // SQLite's page cache setting of the session's connection; other stores have none to change (null).
    private static async Task<long?> CacheSizeAsync(IStoreSession session)
    {
        var relational = (Mandate.Storage.Relational.RelationalSession)session;
        if (relational.Dialect.Kind != "sqlite")
        {
            return null;
        }

        return (long)(await relational.ScalarAsync("PRAGMA cache_size", Ct))!;
    }
}

public sealed class SqliteFindingStoreTests : FindingStoreContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new SqliteStore(TempPaths.NewFile("findings", ".db")));
}

public sealed class PostgresFindingStoreTests : FindingStoreContractTests
{
    private protected override async Task<IMandateStore> CreateStoreAsync() =>
        new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync());
}
