using Mandate.Core.Identity.Attestation;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Storage;
using Mandate.Storage.Postgres;
using Mandate.Storage.Sqlite;

namespace Mandate.Storage.Tests.Identity;

/// <summary>The identity repositories behave the same on every store.</summary>
public abstract class IdentityStoreContractTests : MigratedStoreTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000);

    private static WorkloadIdentity Identity(string path, string owner = "team:a", NhiKind kind = NhiKind.Workload, IReadOnlyDictionary<string, string>? labels = null) => new()
    {
        SpiffeId = "spiffe://td.example/" + path,
        Kind = kind,
        Owner = owner,
        Purpose = "p",
        Environment = "production",
        Status = IdentityStatus.Active,
        Labels = labels ?? new SortedDictionary<string, string>(),
        CreatedAt = Now,
        UpdatedAt = Now,
        ExpiresAt = Now.AddDays(30),
    };

    [Fact]
    public async Task ListAll_ShouldReadEveryMatchingIdentity_AcrossPages_InOrder()
    {
        // 1,000 is two full pages of 500 (the next query returns none) and 1,001 ends on a short one.
        var ct = TestContext.Current.CancellationToken;
        await using (var session = await Store.BeginAsync(StoreIntent.Write, ct))
        {
            var repository = session.Get<IIdentityRepository>();
            for (var i = 0; i < 1_001; i++)
            {
                Assert.True(await repository.InsertAsync(Identity($"paged/{i:D4}", owner: i < 1_000 ? "team:pages" : "team:short"), ct));
            }

            Assert.True(await repository.InsertAsync(Identity("paged/other", owner: "team:other"), ct));
            await session.CommitAsync(ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, ct);
        var identities = read.Get<IIdentityRepository>();
        var pages = await identities.ListAllAsync(new IdentityQuery { Owner = "team:pages" }, ct);
        Assert.Equal(Enumerable.Range(0, 1_000).Select(i => $"spiffe://td.example/paged/{i:D4}"), pages.Select(i => i.SpiffeId));
        var all = await identities.ListAllAsync(new IdentityQuery { Prefix = "spiffe://td.example/paged/", After = "ignored", Limit = 3 }, ct);
        Assert.Equal(1_002, all.Count);
        Assert.Equal(all.Select(i => i.SpiffeId).Order(StringComparer.Ordinal), all.Select(i => i.SpiffeId));
    }

    [Fact]
    public async Task Console_ShouldCountByKindAndStatus_AndListBackwards_WithKeysetPaging()
    {
        // The console's overview counts without listing, and its identities page pages both ways by SPIFFE ID.
        var ct = TestContext.Current.CancellationToken;
        await using (var session = await Store.BeginAsync(StoreIntent.Write, ct))
        {
            var repository = session.Get<IIdentityRepository>();
            for (var i = 0; i < 5; i++)
            {
                Assert.True(await repository.InsertAsync(Identity($"count/{i}", kind: i < 3 ? NhiKind.Workload : NhiKind.Agent), ct));
            }

            Assert.True(await repository.UpdateStatusAsync("spiffe://td.example/count/0", IdentityStatus.Active, IdentityStatus.Suspended, "test", Now, ct));
            await session.CommitAsync(ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, ct);
        var identities = read.Get<IIdentityRepository>();
        var counts = await identities.CountByKindAndStatusAsync(ct);
        Assert.Equal(2, counts.Single(c => c.Kind == NhiKind.Workload && c.Status == IdentityStatus.Active).Count);
        Assert.Equal(1, counts.Single(c => c.Kind == NhiKind.Workload && c.Status == IdentityStatus.Suspended).Count);
        Assert.Equal(2, counts.Single(c => c.Kind == NhiKind.Agent && c.Status == IdentityStatus.Active).Count);
        Assert.Equal(5, counts.Sum(c => c.Count));

        var first = await identities.ListAsync(new IdentityQuery { Prefix = "spiffe://td.example/count/", Descending = true, Limit = 2 }, ct);
        Assert.Equal(["spiffe://td.example/count/4", "spiffe://td.example/count/3"], first.Select(i => i.SpiffeId));
        var second = await identities.ListAsync(new IdentityQuery { Prefix = "spiffe://td.example/count/", Descending = true, After = first[^1].SpiffeId, Limit = 2 }, ct);
        Assert.Equal(["spiffe://td.example/count/2", "spiffe://td.example/count/1"], second.Select(i => i.SpiffeId));
    }

    [Fact]
    public async Task StatusChange_ShouldBeACompareAndSet_WhenTwoWritersRaceOnOneIdentity()
    {
        // Writer one suspends while writer two, which read the identity as active too, tries to revoke it. On
        // PostgreSQL (READ COMMITTED) the second UPDATE waits for the first commit and must then match nothing; on
        // SQLite the second transaction starts only after the first commits.
        var ct = TestContext.Current.CancellationToken;
        const string id = "spiffe://td.example/raced";
        await using (var setup = await Store.BeginAsync(StoreIntent.Write, ct))
        {
            Assert.True(await setup.Get<IIdentityRepository>().InsertAsync(Identity("raced"), ct));
            await setup.CommitAsync(ct);
        }

        bool secondChanged;
        await using (var first = await Store.BeginAsync(StoreIntent.Write, ct))
        {
            Assert.True(await first.Get<IIdentityRepository>().UpdateStatusAsync(id, IdentityStatus.Active, IdentityStatus.Suspended, "first", Now.AddMinutes(1), ct));
            var second = Task.Run(
                async () =>
                {
                    await using var session = await Store.BeginAsync(StoreIntent.Write, ct);
                    var changed = await session.Get<IIdentityRepository>().UpdateStatusAsync(id, IdentityStatus.Active, IdentityStatus.Revoked, "second", Now.AddMinutes(2), ct);
                    await session.CommitAsync(ct);
                    return changed;
                },
                ct);
            await Task.Delay(200, ct);
            await first.CommitAsync(ct);
            secondChanged = await second.WaitAsync(TimeSpan.FromSeconds(30), ct);
        }

        Assert.False(secondChanged);
        await using var read = await Store.BeginAsync(StoreIntent.Read, ct);
        var stored = await read.Get<IIdentityRepository>().GetAsync(id, ct);
        Assert.Equal((IdentityStatus.Suspended, "first"), (stored!.Status, stored.StatusReason));
    }

    [Fact]
    public async Task Identities_ShouldRoundTrip_FilterAndPage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var session = await Store.BeginAsync(StoreIntent.Write, ct))
        {
            var repository = session.Get<IIdentityRepository>();
            Assert.True(await repository.InsertAsync(Identity("a", labels: new SortedDictionary<string, string> { ["zone"] = "eu" }), ct));
            Assert.True(await repository.InsertAsync(Identity("b", owner: "team:b", kind: NhiKind.Agent), ct));
            Assert.True(await repository.InsertAsync(Identity("c/d"), ct));
            Assert.False(await repository.InsertAsync(Identity("a"), ct));
            Assert.True(await repository.UpdateStatusAsync("spiffe://td.example/b", IdentityStatus.Active, IdentityStatus.Suspended, "why", Now.AddMinutes(1), ct));
            Assert.False(await repository.UpdateStatusAsync("spiffe://td.example/b", IdentityStatus.Active, IdentityStatus.Revoked, "stale", Now.AddMinutes(2), ct));
            await session.CommitAsync(ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, ct);
        var repo = read.Get<IIdentityRepository>();
        var a = await repo.GetAsync("spiffe://td.example/a", ct);
        Assert.Equal(Identity("a", labels: new SortedDictionary<string, string> { ["zone"] = "eu" }) with { Labels = a!.Labels }, a);
        Assert.Equal("eu", a.Labels["zone"]);
        var b = await repo.GetAsync("spiffe://td.example/b", ct);
        Assert.Equal(IdentityStatus.Suspended, b!.Status);
        Assert.Equal("why", b.StatusReason);
        Assert.Null(await repo.GetAsync("spiffe://td.example/none", ct));

        async Task<string[]> Ids(IdentityQuery q) => (await repo.ListAsync(q, ct)).Select(i => i.SpiffeId).ToArray();
        Assert.Equal(["spiffe://td.example/a", "spiffe://td.example/b", "spiffe://td.example/c/d"], await Ids(new IdentityQuery()));
        Assert.Equal(["spiffe://td.example/b"], await Ids(new IdentityQuery { Owner = "team:b" }));
        Assert.Equal(["spiffe://td.example/b"], await Ids(new IdentityQuery { Kind = NhiKind.Agent }));
        Assert.Equal(["spiffe://td.example/b"], await Ids(new IdentityQuery { Status = IdentityStatus.Suspended }));
        Assert.Equal(["spiffe://td.example/a"], await Ids(new IdentityQuery { Label = new("zone", "eu") }));
        Assert.Equal(["spiffe://td.example/c/d"], await Ids(new IdentityQuery { Prefix = "spiffe://td.example/c/" }));
        Assert.Equal(["spiffe://td.example/a", "spiffe://td.example/b"], await Ids(new IdentityQuery { Limit = 2 }));
        Assert.Equal(["spiffe://td.example/c/d"], await Ids(new IdentityQuery { After = "spiffe://td.example/b" }));
        var expiry = Now.AddDays(30);
        Assert.Empty(await Ids(new IdentityQuery { ExpiresAtOrBefore = expiry.AddMilliseconds(-1) }));
        Assert.Equal(["spiffe://td.example/a", "spiffe://td.example/c/d"], await Ids(new IdentityQuery { Status = IdentityStatus.Active, ExpiresAtOrBefore = expiry }));
        Assert.Empty(await Ids(new IdentityQuery { Status = IdentityStatus.Active, ExpiresAfter = expiry }));
        Assert.Equal(3, (await Ids(new IdentityQuery { ExpiresAfter = expiry.AddMilliseconds(-1) })).Length);
    }

    [Fact]
    public async Task Keys_ShouldRoundTrip_AndScheduleRetirement()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = new StoredKey("kid-1", KeyPurposes.Jwt, "ES256", "{}", [1, 2, 3], null, Now, Now, null, null);
        var ca = new StoredKey("kid-2", KeyPurposes.X509Authority, "ES256", "{}", [4, 5], [6, 7, 8], Now, Now, null, null);
        await using (var session = await Store.BeginAsync(StoreIntent.Write, ct))
        {
            var repository = session.Get<IKeyRepository>();
            await repository.LockAsync(ct);
            await repository.InsertAsync(key, ct);
            await repository.InsertAsync(ca, ct);
            await repository.ScheduleRetirementAsync("kid-1", Now.AddHours(1), Now.AddHours(2), ct);
            await session.CommitAsync(ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, ct);
        var keys = await read.Get<IKeyRepository>().ListAsync(ct);
        var loaded = keys.Single(k => k.Kid == "kid-1");
        Assert.Equal([1, 2, 3], loaded.EncryptedPrivateKey);
        Assert.Equal(Now.AddHours(1), loaded.RetiresAt);
        Assert.Equal(Now.AddHours(2), loaded.PublishUntil);
        Assert.Equal([6, 7, 8], keys.Single(k => k.Kid == "kid-2").Certificate);
    }

    [Fact]
    public async Task JoinTokens_ShouldBeConsumedOnce_AndNotAfterExpiry()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var session = await Store.BeginAsync(StoreIntent.Write, ct))
        {
            var repository = session.Get<IJoinTokenRepository>();
            await repository.InsertAsync("h1", "spiffe://td.example/a", Now, Now.AddMinutes(5), ct);
            await repository.InsertAsync("h2", "spiffe://td.example/b", Now, Now.AddMinutes(5), ct);
            await session.CommitAsync(ct);
        }

        await using var write = await Store.BeginAsync(StoreIntent.Write, ct);
        var tokens = write.Get<IJoinTokenRepository>();
        Assert.Equal("spiffe://td.example/a", await tokens.ConsumeAsync("h1", Now.AddMinutes(1), ct));
        Assert.Null(await tokens.ConsumeAsync("h1", Now.AddMinutes(1), ct));
        Assert.Null(await tokens.ConsumeAsync("h2", Now.AddMinutes(5), ct));
        Assert.Null(await tokens.ConsumeAsync("unknown", Now, ct));
    }

    private async Task<bool> TryRedeemAsync(RedeemedPlatformToken token)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var session = await Store.BeginAsync(StoreIntent.Write, ct);
        var recorded = await session.Get<IRedeemedPlatformTokenRepository>().TryRecordAsync(token, ct);
        await session.CommitAsync(ct);
        return recorded;
    }

    private static RedeemedPlatformToken Redemption(string issuer, string jtiHash, DateTimeOffset at, string path = "ci/a") =>
        new(issuer, jtiHash, "spiffe://td.example/" + path, at, at.AddMinutes(5));

    [Fact]
    public async Task RedeemedPlatformTokens_ShouldBeRecordedOncePerIssuerAndJti()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.True(await TryRedeemAsync(Redemption("https://issuer-a", "j1", Now)));
        Assert.False(await TryRedeemAsync(Redemption("https://issuer-a", "j1", Now.AddMinutes(1), "ci/b")));
        Assert.True(await TryRedeemAsync(Redemption("https://issuer-b", "j1", Now)));
        Assert.True(await TryRedeemAsync(Redemption("https://issuer-a", "j2", Now)));

        // The refused attempt changed nothing: the first redemption is what the record says.
        await using var read = await Store.BeginAsync(StoreIntent.Read, ct);
        var repository = read.Get<IRedeemedPlatformTokenRepository>();
        Assert.Equal(Redemption("https://issuer-a", "j1", Now), await repository.GetAsync("https://issuer-a", "j1", ct));
        Assert.Null(await repository.GetAsync("https://issuer-a", "j3", ct));
        Assert.Null(await repository.GetAsync("https://issuer-c", "j1", ct));
    }

    [Fact]
    public async Task RedeemedPlatformTokens_ShouldBePurgedOnceExpired_AndAnExpiredRecordReplaced()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.True(await TryRedeemAsync(Redemption("https://issuer-a", "early", Now)));
        Assert.True(await TryRedeemAsync(Redemption("https://issuer-a", "late", Now.AddMinutes(3))));

        // Up to its expiry a record still refuses; from its expiry a new redemption replaces it (purge may lag).
        Assert.False(await TryRedeemAsync(Redemption("https://issuer-a", "early", Now.AddMinutes(5).AddMilliseconds(-1))));
        Assert.True(await TryRedeemAsync(Redemption("https://issuer-a", "early", Now.AddMinutes(5))));

        await using (var session = await Store.BeginAsync(StoreIntent.Write, ct))
        {
            var repository = session.Get<IRedeemedPlatformTokenRepository>();
            Assert.Equal(0, await repository.PurgeExpiredAsync(Now.AddMinutes(8).AddMilliseconds(-1), ct));
            Assert.Equal(1, await repository.PurgeExpiredAsync(Now.AddMinutes(8), ct));
            Assert.Null(await repository.GetAsync("https://issuer-a", "late", ct));
            Assert.NotNull(await repository.GetAsync("https://issuer-a", "early", ct));
            Assert.Equal(1, await repository.PurgeExpiredAsync(Now.AddMinutes(10), ct));
            Assert.Equal(0, await repository.PurgeExpiredAsync(Now.AddDays(1), ct));
            await session.CommitAsync(ct);
        }
    }

    [Fact]
    public async Task RedeemedPlatformTokens_ShouldLetExactlyOneOfConcurrentRedemptionsWin()
    {
        // Separate sessions racing for the same token, as on several nodes: one wins, the others see it.
        for (var round = 0; round < 3; round++)
        {
            var jti = "race-" + round;
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => TryRedeemAsync(Redemption("https://issuer-a", jti, Now, "ci/" + i)))));
            Assert.Equal(1, results.Count(r => r));
        }
    }
}

public sealed class SqliteIdentityStoreTests : IdentityStoreContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new SqliteStore(TempPaths.NewFile("identity", ".db")));
}

public sealed class PostgresIdentityStoreTests : IdentityStoreContractTests
{
    private protected override async Task<IMandateStore> CreateStoreAsync() =>
        new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync());
}
