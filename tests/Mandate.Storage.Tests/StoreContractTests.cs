using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Storage.Tests;

/// <summary>The behaviour every store must have. Each store runs it through a subclass against a real database.</summary>
public abstract class StoreContractTests : MigratedStoreTests
{
    [Fact]
    public async Task Migrate_ShouldBeIdempotent()
    {
        await Store.MigrateAsync(TestContext.Current.CancellationToken);
        var status = await Store.CheckAsync(TestContext.Current.CancellationToken);
        Assert.True(status.Ready, status.Problem);
        Assert.Equal(status.ExpectedVersion, status.AppliedVersion);
    }

    [Fact]
    public async Task Settings_ShouldRoundTrip_AndOverwrite()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var session = await Store.BeginAsync(StoreIntent.Write, ct))
        {
            await session.Get<ISettingsRepository>().SetAsync("k", "one", DateTimeOffset.UnixEpoch, ct);
            await session.Get<ISettingsRepository>().SetAsync("k", "two", DateTimeOffset.UnixEpoch, ct);
            await session.CommitAsync(ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, ct);
        Assert.Equal("two", await read.Get<ISettingsRepository>().GetAsync("k", ct));
        Assert.Null(await read.Get<ISettingsRepository>().GetAsync("missing", ct));
    }

    [Fact]
    public async Task Settings_TryAdd_ShouldStoreOnlyTheFirstValue_EvenFromConcurrentTransactions()
    {
        var ct = TestContext.Current.CancellationToken;

        // Nodes starting together: each reads no value, then adds its own; exactly one add succeeds.
        async Task<bool> AddAsync(string value)
        {
            await using var session = await Store.BeginAsync(StoreIntent.Write, ct);
            var added = await session.Get<ISettingsRepository>().TryAddAsync("first", value, DateTimeOffset.UnixEpoch, ct);
            await session.CommitAsync(ct);
            return added;
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => AddAsync("v" + i), ct)));
        Assert.Equal(1, results.Count(r => r));

        await using var read = await Store.BeginAsync(StoreIntent.Read, ct);
        Assert.Equal("v" + Array.IndexOf(results, true), await read.Get<ISettingsRepository>().GetAsync("first", ct));
    }

    [Fact]
    public async Task DataProtectionKeys_ShouldListInTheOrderAdded_AndKeepTheFirstValueOfAName()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var session = await Store.BeginAsync(StoreIntent.Write, ct))
        {
            var keys = session.Get<IDataProtectionKeyRepository>();
            await keys.AddAsync("key-b", "<key id=\"b\" />", DateTimeOffset.UnixEpoch.AddSeconds(1), ct);
            await keys.AddAsync("key-a", "<key id=\"a\" />", DateTimeOffset.UnixEpoch.AddSeconds(2), ct);
            await keys.AddAsync("key-b", "<key id=\"other\" />", DateTimeOffset.UnixEpoch.AddSeconds(3), ct);
            await session.CommitAsync(ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, ct);
        Assert.Equal([("key-b", "<key id=\"b\" />"), ("key-a", "<key id=\"a\" />")], await read.Get<IDataProtectionKeyRepository>().ListAsync(ct));
    }

    [Fact]
    public async Task Session_ShouldRollBack_WhenDisposedWithoutCommit()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var session = await Store.BeginAsync(StoreIntent.Write, ct))
        {
            await session.Get<ISettingsRepository>().SetAsync("uncommitted", "x", DateTimeOffset.UnixEpoch, ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, ct);
        Assert.Null(await read.Get<ISettingsRepository>().GetAsync("uncommitted", ct));
    }

    [Fact]
    public async Task AuditTrail_ShouldChainEvents_InOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var trail = new ServiceCollection().AddSingleton(Store).AddMandate().Services.BuildServiceProvider().GetRequiredService<IAuditTrail>();
        for (var i = 0; i < 3; i++)
        {
            await using var session = await Store.BeginAsync(StoreIntent.Write, ct);
            await trail.RecordAsync(session, new AuditEvent { Type = "test.event", Subject = $"s{i}" }, ct);
            await session.CommitAsync(ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, ct);
        var records = new List<StoredAuditRecord>();
        await foreach (var record in read.Get<IAuditRepository>().ReadAsync(1, ct))
        {
            records.Add(record);
        }

        Assert.Equal([1L, 2L, 3L], records.Select(r => r.Sequence));
        Assert.Equal(records[0].Hash, records[1].PreviousHash);
        Assert.Equal(records[1].Hash, records[2].PreviousHash);
    }

    [Fact]
    public async Task AuditTrail_ShouldKeepOneChain_UnderConcurrentWriters()
    {
        var ct = TestContext.Current.CancellationToken;
        var trail = new ServiceCollection().AddSingleton(Store).AddMandate().Services.BuildServiceProvider().GetRequiredService<IAuditTrail>();
        await Parallel.ForAsync(0, 20, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
        {
            await using var session = await Store.BeginAsync(StoreIntent.Write, token);
            await trail.RecordAsync(session, new AuditEvent { Type = "test.concurrent", Subject = $"s{i}" }, token);
            await session.CommitAsync(token);
        });

        await using var read = await Store.BeginAsync(StoreIntent.Read, ct);
        var records = new List<StoredAuditRecord>();
        await foreach (var record in read.Get<IAuditRepository>().ReadAsync(1, ct))
        {
            records.Add(record);
        }

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), records.Select(r => r.Sequence));
        for (var i = 1; i < records.Count; i++)
        {
            Assert.Equal(records[i - 1].Hash, records[i].PreviousHash);
        }
    }
}
