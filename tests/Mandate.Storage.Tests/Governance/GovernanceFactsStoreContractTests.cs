using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Governance.Findings;
using Mandate.Core.Governance.Inventory;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Storage;
using Mandate.Storage.Postgres;
using Mandate.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Storage.Tests.Governance;

/// <summary>
/// What findings and the compliance report read, the same on every store: the ledger folded into usage from a cursor,
/// registered identities with their credential counts, finding states with digests, and the compliance aggregates.
/// </summary>
public abstract class GovernanceFactsStoreContractTests : MigratedStoreTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000);

    private IAuditTrail Trail => new ServiceCollection().AddSingleton(Store).AddMandate().Services.BuildServiceProvider().GetRequiredService<IAuditTrail>();

    private async Task RecordAsync(IAuditTrail trail, params AuditEvent[] events)
    {
        await using var session = await Store.BeginAsync(StoreIntent.Write, Ct);
        await trail.RecordManyAsync(session, events, Ct);
        await session.CommitAsync(Ct);
    }

    private async Task<long> FoldAsync(long max)
    {
        await using var session = await Store.BeginAsync(StoreIntent.Write, Ct);
        var moved = await session.Get<IGovernanceFactsRepository>().FoldUsageAsync(max, Now, Ct);
        await session.CommitAsync(Ct);
        return moved;
    }

    private async Task<Dictionary<(string, string, string), IdentityUsage>> UsageAsync()
    {
        await using var session = await Store.BeginAsync(StoreIntent.Read, Ct);
        return (await session.Get<IGovernanceFactsRepository>().ReadUsageAsync(Ct)).ToDictionary(u => (u.Subject, u.Action, u.ResourceType));
    }

    private static AuditEvent Decision(string decision, string action, string resource) => new()
    {
        Type = "decision",
        Subject = "Workload::\"spiffe://td.example/a\"",
        Action = "Action::\"" + action + "\"",
        Resource = resource,
        Decision = decision,
    };

    [Fact]
    public async Task FoldUsage_ShouldKeepTheLastAllowedUsePerActionAndResourceType_ReadingOnlyNewRecords()
    {
        var trail = Trail;
        await RecordAsync(
            trail,
            Decision("allow", "read", "Ticket::\"T-1\""),
            Decision("deny", "write", "Ticket::\"T-1\""),
            new AuditEvent { Type = "credential.used", Subject = "spiffe://td.example/a" },
            new AuditEvent { Type = "identity.registered", Subject = "spiffe://td.example/a" },
            Decision("allow", "read", "Ticket::\"T-2\""));

        Assert.Equal(2, await FoldAsync(2));
        Assert.Equal(3, await FoldAsync(1000));
        Assert.Equal(0, await FoldAsync(1000));
        var usage = await UsageAsync();
        Assert.Equal(2, usage.Count);
        Assert.Equal(5, usage[("spiffe://td.example/a", "Action::\"read\"", "Ticket")].LastSequence);
        Assert.Equal(3, usage[("spiffe://td.example/a", "", "")].LastSequence);
        Assert.DoesNotContain(("spiffe://td.example/a", "Action::\"write\"", "Ticket"), usage.Keys);

        await RecordAsync(trail, Decision("allow", "read", "Ticket::\"T-3\""));
        Assert.Equal(1, await FoldAsync(1000));
        Assert.Equal(6, (await UsageAsync())[("spiffe://td.example/a", "Action::\"read\"", "Ticket")].LastSequence);
    }

    [Fact]
    public async Task ReadRegistered_ShouldCountLiveCredentials_AndNameTheOneOutlivingItsIdentity()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var identities = session.Get<IIdentityRepository>();
            foreach (var (path, expires) in new[] { ("expired", Now.AddDays(-1)), ("fresh", Now.AddDays(30)) })
            {
                Assert.True(await identities.InsertAsync(new WorkloadIdentity
                {
                    SpiffeId = "spiffe://td.example/" + path,
                    Kind = NhiKind.Workload,
                    Owner = "team:a",
                    Purpose = "p",
                    Environment = "production",
                    Status = IdentityStatus.Active,
                    CreatedAt = Now.AddDays(-200),
                    UpdatedAt = Now,
                    ExpiresAt = expires,
                }, Ct));
            }

            var credentials = session.Get<ICredentialRepository>();
            CredentialRecord Credential(string jti, DateTimeOffset expires) => new()
            {
                Jti = jti,
                Kind = "task",
                Subject = "spiffe://td.example/expired",
                Holder = "spiffe://td.example/expired",
                IssuedAt = Now.AddHours(-1),
                ExpiresAt = expires,
            };
            await credentials.InsertAsync(Credential("live-short", Now.AddMinutes(10)), Ct);
            await credentials.InsertAsync(Credential("live-long", Now.AddMinutes(50)), Ct);
            await credentials.InsertAsync(Credential("revoked", Now.AddHours(2)), Ct);
            await credentials.RevokeWithDescendantsAsync(["revoked"], Now.AddMinutes(-5), "test", "admin", Ct);
            await credentials.InsertAsync(Credential("expired", Now.AddMinutes(-1)), Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var facts = (await read.Get<IGovernanceFactsRepository>().ReadRegisteredAsync(Now, Ct)).ToDictionary(f => f.SpiffeId);
        var expired = facts["spiffe://td.example/expired"];
        Assert.Equal(2, expired.LiveCredentials);
        Assert.Equal("live-long", expired.LatestLiveCredential);
        Assert.Equal(Now.AddMinutes(50), expired.LatestLiveExpiry);
        Assert.Equal("active", expired.Status);
        Assert.Equal(0, facts["spiffe://td.example/fresh"].LiveCredentials);
        Assert.Null(facts["spiffe://td.example/fresh"].LatestLiveCredential);

        var compliance = await read.Get<IGovernanceFactsRepository>().ReadComplianceFactsAsync(Now, Ct);
        Assert.Equal("live-long", compliance.LongestCredential);
        Assert.Equal(TimeSpan.FromMinutes(110), compliance.LongestCredentialLifetime);
    }

    [Fact]
    public async Task FindingStates_ShouldCarryTheContentDigest_AndResolveClearsTheAcceptance()
    {
        var finding = new Finding
        {
            Id = FindingRules.Id("stale", "aws", "arn:x", "k1"),
            Kind = "stale",
            Severity = "medium",
            Source = "aws",
            Identity = "arn:x",
            Summary = "k1 of arn:x was last used on 2026-01-01 (stale after 90 days).",
            Evidence = [FindingEvidence.Field("access_key_1_last_used_date", "2026-01-01T00:00:00Z", "aws")],
            Remediation = "fix",
            FirstSeen = Now,
            LastSeen = Now,
            Status = "accepted",
            AcceptedReason = "known",
            AcceptedBy = "admin",
            AcceptedUntil = Now.AddDays(3),
        };
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<IFindingRepository>().UpsertAsync([finding], Ct);
            await session.CommitAsync(Ct);
        }

        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IFindingRepository>();
            var state = Assert.Single(await repository.ListStatesAsync(Ct));
            Assert.Equal(FindingDigest.Of(finding), state.Digest);
            Assert.NotEqual(FindingDigest.Of(finding with { Summary = "other" }), state.Digest);
            Assert.Equal(("accepted", "stale", "aws", "arn:x", Now.AddDays(3)), (state.Status, state.Kind, state.Source, state.Identity, state.AcceptedUntil));
            Assert.Equal(("known", "admin"), (state.AcceptedReason, state.AcceptedBy));
            await repository.ResolveAsync([finding.Id], Now.AddHours(1), Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var resolved = Assert.Single(await read.Get<IFindingRepository>().ListAsync(new FindingQuery { Status = "resolved" }, Ct));
        Assert.Equal(Now.AddHours(1), resolved.ResolvedAt);
        Assert.Null(resolved.AcceptedReason);
        Assert.Null(resolved.AcceptedUntil);
    }

    [Fact]
    public async Task Insert_ShouldWriteNewFindingsManyPerStatement_FullChunksAndTheRest()
    {
        var findings = Enumerable.Range(0, 60).Select(i => new Finding
        {
            Id = FindingRules.Id("no_owner", "aws", "arn:" + i, null),
            Kind = "no_owner",
            Severity = "medium",
            Source = "aws",
            Identity = "arn:" + i,
            Owner = i % 2 == 0 ? null : "team:x",
            Summary = "s" + i,
            Evidence = [FindingEvidence.Field("owner", null, "aws")],
            Remediation = "r",
            FirstSeen = Now,
            LastSeen = Now,
        }).ToList();
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<IFindingRepository>().InsertAsync(findings, Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var repository = read.Get<IFindingRepository>();
        var stored = await repository.ListAsync(new FindingQuery(), Ct);
        Assert.Equal(60, stored.Count);
        Assert.Equal(findings.OrderBy(f => f.Id, StringComparer.Ordinal).Select(f => (f.Id, f.Owner, f.Summary)), stored.OrderBy(f => f.Id, StringComparer.Ordinal).Select(f => (f.Id, f.Owner, f.Summary)));
        Assert.All(await repository.ListStatesAsync(Ct), s => Assert.Equal(FindingDigest.Of(findings.Single(f => f.Id == s.Id)), s.Digest));
    }

    [Fact]
    public async Task Upsert_ShouldReplaceManyPerStatement_TheLastOfOneIdWinning()
    {
        Finding Make(int i, string summary) => new()
        {
            Id = FindingRules.Id("stale", "aws", "arn:" + i, null),
            Kind = "stale",
            Severity = "medium",
            Source = "aws",
            Identity = "arn:" + i,
            Summary = summary,
            Evidence = [],
            Remediation = "r",
            FirstSeen = Now,
            LastSeen = Now,
        };
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IFindingRepository>();
            await repository.InsertAsync([.. Enumerable.Range(0, 40).Select(i => Make(i, "first"))], Ct);
            await repository.InsertAsync([Make(0, "ignored"), Make(0, "ignored too")], Ct);
            await repository.UpsertAsync([.. Enumerable.Range(20, 40).Select(i => Make(i, "second")), Make(25, "last")], Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var stored = (await read.Get<IFindingRepository>().ListAsync(new FindingQuery(), Ct)).ToDictionary(f => f.Identity, f => f.Summary);
        Assert.Equal(60, stored.Count);
        Assert.Equal(("first", "first", "second", "last", "second"), (stored["arn:0"], stored["arn:19"], stored["arn:20"], stored["arn:25"], stored["arn:59"]));
    }

    [Fact]
    public async Task ComplianceFacts_ShouldCountImportedOwnership_AndFindTheOldestStaticSecret()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            InventoryEntry Entry(string id, string? owner, DateTimeOffset? expires, DateTimeOffset rotated) => new()
            {
                Source = "aws",
                ExternalId = id,
                Kind = "service_account",
                Owner = owner,
                Status = "active",
                ExpiresAt = expires,
                Credentials = [new InventoryCredential { Slot = "access_key_1", Kind = "access_key", Active = true, LastRotatedAt = rotated }],
            };
            await session.Get<IInventoryRepository>().UpsertAsync(
                [Entry("arn:a", "team:a", Now.AddDays(10), Now.AddDays(-10)), Entry("arn:b", "team:b", null, Now.AddDays(-400)), Entry("arn:c", null, null, Now.AddDays(-5))],
                Now,
                Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var facts = await read.Get<IGovernanceFactsRepository>().ReadComplianceFactsAsync(Now, Ct);
        Assert.Equal((3, 2, 1), (facts.ImportedActive, facts.ImportedWithOwner, facts.ImportedWithOwnerAndExpiry));
        Assert.Equal("access_key_1 of arn:b", facts.OldestStaticSecret);
        Assert.Equal(TimeSpan.FromDays(400), facts.OldestStaticSecretAge);
        Assert.Null(facts.LongestCredential);
        var all = await read.Get<IInventoryRepository>().ReadAllAsync(Ct);
        Assert.Equal(["arn:a", "arn:b", "arn:c"], all.Select(e => e.ExternalId).Order(StringComparer.Ordinal));
        Assert.All(all, e => Assert.Single(e.Credentials));
    }
}

public sealed class SqliteGovernanceFactsStoreTests : GovernanceFactsStoreContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new SqliteStore(TempPaths.NewFile("governance-facts", ".db")));
}

public sealed class PostgresGovernanceFactsStoreTests : GovernanceFactsStoreContractTests
{
    private protected override async Task<IMandateStore> CreateStoreAsync() =>
        new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync());
}
