using Mandate.Core.Governance.Inventory;
using Mandate.Core.Storage;
using Mandate.Storage.Postgres;
using Mandate.Storage.Sqlite;

namespace Mandate.Storage.Tests.Governance;

/// <summary>The imported inventory behaves the same on every store: upsert by (source, external id), credentials replaced whole, keyset pages.</summary>
public abstract class InventoryStoreContractTests : MigratedStoreTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000);


    private static InventoryEntry Entry(string source, string id, string? owner = null, params InventoryCredential[] credentials) => new()
    {
        Source = source,
        ExternalId = id,
        Kind = "service_account",
        Owner = owner,
        Status = "active",
        CreatedAt = Now.AddDays(-400),
        Labels = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["aws.user"] = id[(id.LastIndexOf('/') + 1)..] },
        Credentials = credentials,
    };

    private static InventoryCredential Key(string slot, DateTimeOffset? used = null, string? fingerprint = null) => new()
    {
        Slot = slot,
        Kind = "access_key",
        Active = true,
        CreatedAt = Now.AddDays(-200),
        LastRotatedAt = Now.AddDays(-200),
        LastUsedAt = used,
        LastUsedRegion = used is null ? null : "eu-west-1",
        LastUsedService = used is null ? null : "s3",
        Fingerprint = fingerprint,
    };

    [Fact]
    public async Task Upsert_ShouldInsertThenReplace_ByIdentityAndCredentialSlot()
    {
        var arn = "arn:aws:iam::111122223333:user/svc-a";
        var fingerprint = "sha256:" + new string('a', 64);
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<IInventoryRepository>().UpsertAsync(
                [Entry("aws", arn, null, Key("access_key_1", Now.AddDays(-3)), Key("access_key_2", null, fingerprint)), Entry("k8s", "payments/api", "team:payments")],
                Now,
                Ct);
            await session.CommitAsync(Ct);
        }

        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            // The second import drops key 2 and gives the identity an owner.
            await session.Get<IInventoryRepository>().UpsertAsync([Entry("aws", arn, "team:data", Key("access_key_1", Now.AddDays(-1)))], Now.AddHours(1), Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var repository = read.Get<IInventoryRepository>();
        var found = await repository.GetManyAsync([("aws", arn), ("k8s", "payments/api"), ("aws", "arn:aws:iam::111122223333:user/absent")], Ct);
        Assert.Equal(2, found.Count);
        var stored = found[("aws", arn)];
        Assert.Equal("team:data", stored.Owner);
        Assert.Equal(Now.AddDays(-400), stored.CreatedAt);
        Assert.Equal("svc-a", stored.Labels["aws.user"]);
        var key = Assert.Single(stored.Credentials);
        Assert.Equal(Key("access_key_1", Now.AddDays(-1)), key);
        Assert.Empty(InventoryDiff.Changes(stored, Entry("aws", arn, "team:data", Key("access_key_1", Now.AddDays(-1)))));
        Assert.Equal("team:payments", found[("k8s", "payments/api")].Owner);
    }

    [Fact]
    public async Task FindByCredentialIds_ShouldReturnTheHoldersOfThosePublicIds_WithTheirOwners()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<IInventoryRepository>().UpsertAsync(
                [
                    Entry("aws", "arn:aws:iam::1:user/deploy", "team:platform", Key("access_key_1") with { CredentialId = "AKIAAAAAAAAAAAAAAAA2" }, Key("access_key_2") with { CredentialId = "AKIAAAAAAAAAAAAAAAA3" }),
                    Entry("aws", "arn:aws:iam::1:user/other", null, Key("access_key_1") with { CredentialId = "AKIAAAAAAAAAAAAAAAA4" }),
                ],
                Now,
                Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var holders = await read.Get<IInventoryRepository>().FindByCredentialIdsAsync(["AKIAAAAAAAAAAAAAAAA3", "AKIAAAAAAAAAAAAAAAA9"], Ct);
        var holder = Assert.Single(holders);
        Assert.Equal(new InventoryCredentialHolder("aws", "arn:aws:iam::1:user/deploy", "team:platform", "AKIAAAAAAAAAAAAAAAA3"), holder);
        Assert.Empty(await read.Get<IInventoryRepository>().FindByCredentialIdsAsync([], Ct));
    }

    [Fact]
    public async Task List_ShouldFilter_AndPageInKeyOrder()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var entries = Enumerable.Range(0, 25).Select(i => Entry(i % 2 == 0 ? "aws" : "k8s", $"ns/sa-{i:D2}", i % 3 == 0 ? "team:x" : null, Key("k1"))).ToList();
            await session.Get<IInventoryRepository>().UpsertAsync(entries, Now, Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var repository = read.Get<IInventoryRepository>();
        var seen = new List<(string, string)>();
        (string, string)? after = null;
        while (true)
        {
            var page = await repository.ListAsync(new InventoryQuery { After = after, Limit = 4 }, Ct);
            seen.AddRange(page.Select(e => (e.Source, e.ExternalId)));
            Assert.All(page, e => Assert.Single(e.Credentials));
            if (page.Count < 4)
            {
                break;
            }

            after = (page[^1].Source, page[^1].ExternalId);
        }

        Assert.Equal(25, seen.Count);
        Assert.Equal(seen.OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2, StringComparer.Ordinal), seen);
        Assert.Equal(13, (await repository.ListAsync(new InventoryQuery { Source = "aws" }, Ct)).Count);
        Assert.Equal(9, (await repository.ListAsync(new InventoryQuery { Owner = "team:x" }, Ct)).Count);
        Assert.Equal(["ns/sa-10", "ns/sa-12", "ns/sa-14", "ns/sa-16", "ns/sa-18"], (await repository.ListAsync(new InventoryQuery { Source = "aws", Prefix = "ns/sa-1" }, Ct)).Select(e => e.ExternalId));
    }

    [Fact]
    public async Task Upsert_ShouldWriteNothing_WhenTheSessionIsNotCommitted()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<IInventoryRepository>().UpsertAsync([Entry("aws", "arn:aws:iam::1:user/rolled-back", null, Key("k1"))], Now, Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        Assert.Empty(await read.Get<IInventoryRepository>().ListAsync(new InventoryQuery(), Ct));
    }
}

public sealed class SqliteInventoryStoreTests : InventoryStoreContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new SqliteStore(TempPaths.NewFile("inventory", ".db")));
}

public sealed class PostgresInventoryStoreTests : InventoryStoreContractTests
{
    private protected override async Task<IMandateStore> CreateStoreAsync() =>
        new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync());
}
