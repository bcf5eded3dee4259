using Mandate.Core.Governance.Offboarding;
using Mandate.Core.Governance.Reviews;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Storage;
using Mandate.Storage.Postgres;
using Mandate.Storage.Sqlite;

namespace Mandate.Storage.Tests.Governance;

/// <summary>Access review campaigns and items, departed owners, transfers, join tokens and offboarding records behave the same on every store.</summary>
public abstract class ReviewStoreContractTests : MigratedStoreTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000);

    private static ReviewItem Item(string campaign, int number, string kind) => new()
    {
        CampaignId = campaign,
        Number = number,
        Kind = kind,
        Identity = "spiffe://td/a",
        Source = "mandate",
        Owner = "team:x",
        Action = kind == ReviewStatuses.EntitlementItem ? "Action::\"read\"" : null,
        ResourceType = kind == ReviewStatuses.EntitlementItem ? "Invoice" : null,
        Policies = kind == ReviewStatuses.EntitlementItem ? ["p1", "p2"] : [],
        Summary = "item " + number,
    };

    [Fact]
    public async Task Campaigns_ShouldRoundTrip_CountDecisions_DecideOnce_AndComplete()
    {
        var campaign = new ReviewCampaign { Id = "rvw_1", Owner = "team:x", Reviewer = "rita", StartedBy = "admin", StartedAt = Now, Due = Now.AddDays(14), Origin = "review" };
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<IReviewRepository>().InsertAsync(campaign, [Item("rvw_1", 1, ReviewStatuses.IdentityItem), Item("rvw_1", 2, ReviewStatuses.EntitlementItem)], Ct);
            await session.Get<IReviewRepository>().InsertAsync(campaign with { Id = "rvw_2", Owner = null, Reviewer = null, StartedAt = Now.AddMinutes(1) }, [Item("rvw_2", 1, ReviewStatuses.IdentityItem)], Ct);
            await session.CommitAsync(Ct);
        }

        var decided = Item("rvw_1", 2, ReviewStatuses.EntitlementItem) with
        {
            Decision = ReviewStatuses.Revoked, DecidedBy = "operator:rita", DecidedAt = Now.AddHours(1), Reason = "no", Enforcement = "policy_version", EnforcementDetail = "forbid x", PolicyVersion = "v2", LedgerSequence = 42,
        };
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IReviewRepository>();
            Assert.True(await repository.DecideAsync(decided, Ct));
            Assert.False(await repository.DecideAsync(decided with { Decision = ReviewStatuses.Certified }, Ct));
            await repository.CompleteAsync("rvw_2", Now.AddHours(2), Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var reviews = read.Get<IReviewRepository>();
        var stored = await reviews.GetAsync("rvw_1", Ct);
        Assert.Equal(campaign with { Items = 2, Decided = 1 }, stored);
        Assert.Equal(["rvw_2", "rvw_1"], (await reviews.ListAsync(10, Ct)).Select(c => c.Id));
        var second = await reviews.GetAsync("rvw_2", Ct);
        Assert.Equal(ReviewStatuses.Completed, second!.Status);
        Assert.Null(second.Owner);
        var items = await reviews.ItemsAsync("rvw_1", Ct);
        Assert.Equal([1, 2], items.Select(i => i.Number));
        Assert.Equal(decided.Policies, items[1].Policies);
        Assert.Equal(decided with { Policies = items[1].Policies }, items[1]);
        Assert.Null(items[0].Decision);
        Assert.Equal(["rvw_1"], (await reviews.RevokedEntitlementsAsync(Ct)).Select(i => i.CampaignId));
        Assert.Null(await reviews.GetAsync("rvw_none", Ct));
    }

    [Fact]
    public async Task Offboarding_ShouldMarkDepartedOnce_Transfer_EndJoinTokens_AndKeepTheEvidence()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<IIdentityRepository>().InsertAsync(
                new WorkloadIdentity
                {
                    SpiffeId = "spiffe://td/a", Kind = NhiKind.Workload, Owner = "team:old", Purpose = "p", Environment = "production", Status = IdentityStatus.Active,
                    CreatedAt = Now, UpdatedAt = Now, ExpiresAt = Now.AddDays(30),
                },
                Ct);
            var joins = session.Get<Mandate.Core.Identity.Attestation.IJoinTokenRepository>();
            await joins.InsertAsync("hash-live", "spiffe://td/a", Now, Now.AddHours(1), Ct);
            await joins.InsertAsync("hash-expired", "spiffe://td/a", Now.AddHours(-2), Now.AddHours(-1), Ct);
            await session.CommitAsync(Ct);
        }

        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IOffboardingRepository>();
            Assert.True(await repository.MarkDepartedAsync(new DepartedOwner("team:old", Now, "admin", "left", "obd_1"), Ct));
            Assert.False(await repository.MarkDepartedAsync(new DepartedOwner("team:old", Now, "admin", "again", "obd_2"), Ct));
            Assert.True(await repository.TransferAsync("spiffe://td/a", "team:old", "team:new", Now, Ct));
            Assert.False(await repository.TransferAsync("spiffe://td/a", "team:old", "team:other", Now, Ct));
            Assert.Equal(1, await repository.EndJoinTokensAsync("spiffe://td/a", Now, Ct));
            Assert.Equal(0, await repository.EndJoinTokensAsync("spiffe://td/a", Now, Ct));
            await repository.InsertAsync(new OffboardingRecord("obd_1", "team:old", Now, "admin", "{\"a\": 1}"), Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var offboardings = read.Get<IOffboardingRepository>();
        Assert.Equal(new DepartedOwner("team:old", Now, "admin", "left", "obd_1"), await offboardings.GetDepartedAsync("team:old", Ct));
        Assert.Null(await offboardings.GetDepartedAsync("team:new", Ct));
        Assert.Equal("team:new", (await read.Get<IIdentityRepository>().GetAsync("spiffe://td/a", Ct))!.Owner);
        Assert.Null(await read.Get<Mandate.Core.Identity.Attestation.IJoinTokenRepository>().ConsumeAsync("hash-live", Now, Ct));
        Assert.Equal("{\"a\": 1}", (await offboardings.GetAsync("obd_1", Ct))!.Evidence);
        Assert.Single(await offboardings.ListAsync(10, Ct));
    }
}

public sealed class SqliteReviewStoreTests : ReviewStoreContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new SqliteStore(TempPaths.NewFile("reviews", ".db")));
}

public sealed class PostgresReviewStoreTests : ReviewStoreContractTests
{
    private protected override async Task<IMandateStore> CreateStoreAsync() =>
        new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync());
}
