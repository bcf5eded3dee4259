using Mandate.Core.Policies;
using Mandate.Core.Storage;

namespace Mandate.Storage.Tests.Policies;

/// <summary>The policy-version repository contract, run against SQLite and PostgreSQL.</summary>
public abstract class PolicyVersionContractTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    private protected abstract Task<IMandateStore> CreateStoreAsync();

    [Fact]
    public async Task Versions_ShouldBeKept_AndListedNewestFirst_WithTheirBundles()
    {
        await using var store = await MigratedAsync();
        var first = Bundle("permit (principal, action, resource);");
        var second = Bundle("forbid (principal, action, resource);");

        await SaveAsync(store, "v1", first, T0);
        await SaveAsync(store, "v2", second, T0.AddMinutes(1));

        await using var session = await store.BeginAsync(StoreIntent.Read, Ct);
        var repository = session.Get<IPolicyVersionRepository>();
        var list = await repository.ListAsync(10, Ct);
        Assert.Equal(["v2", "v1"], list.Select(v => v.Version));
        Assert.Equal([2L, 1L], list.Select(v => v.Sequence));
        var stored = await repository.GetAsync("v1", Ct);
        Assert.Equal(first.Policies[0].Text, stored!.Bundle.Policies[0].Text);
        Assert.Equal(first.EntitiesJson, stored.Bundle.EntitiesJson);
        Assert.Equal("v2", (await repository.GetLastActivatedAsync(Ct))!.Version);
    }

    [Fact]
    public async Task Bundle_ShouldBeStoredAsTheTextOfItsJson_BoundAsUtf8_AndReadBackExactly()
    {
        await using var store = await MigratedAsync();
        var bundle = new PolicyBundle(
            [new PolicyFile("a.cedar", "permit (principal == User::\"é\\\"😀\", action, resource);\n\t\u0001"), new PolicyFile("b.cedar", new string('x', 100_000))],
            "[{\"uid\":{\"type\":\"User\",\"id\":\"日本\"},\"attrs\":{},\"parents\":[]}]",
            "entity User;");
        await SaveAsync(store, "v1", bundle, T0);

        await using var session = (Mandate.Storage.Relational.RelationalSession)await store.BeginAsync(StoreIntent.Read, Ct);
        // Stored as text (not as a blob of bytes), exactly the JSON the stored form has always been.
        var stored = await session.ScalarAsync("SELECT bundle FROM policy_versions WHERE version = 'v1'", Ct);
        Assert.Equal(PolicyBundleJson.Serialize(bundle), Assert.IsType<string>(stored));
        var back = (await session.Get<IPolicyVersionRepository>().GetAsync("v1", Ct))!.Bundle;
        Assert.Equal(bundle.Policies, back.Policies);
        Assert.Equal(bundle.EntitiesJson, back.EntitiesJson);
        Assert.Equal(bundle.Schema, back.Schema);
    }

    [Fact]
    public async Task LastActivation_ShouldBeTheHighestSequence_OrNullWhenNoneWasStored()
    {
        await using var store = await MigratedAsync();
        await using (var empty = await store.BeginAsync(StoreIntent.Read, Ct))
        {
            Assert.Null(await empty.Get<IPolicyVersionRepository>().GetLastActivationAsync(Ct));
        }

        await SaveAsync(store, "v1", Bundle("permit (principal, action, resource);"), T0);
        await SaveAsync(store, "v2", Bundle("forbid (principal, action, resource);"), T0.AddMinutes(1), previous: "v1");
        var rollback = await SaveAsync(store, "v1", Bundle("permit (principal, action, resource);"), T0.AddMinutes(2), PolicyActivationKinds.Rollback, "rollback", "admin", "v2");

        await using var session = await store.BeginAsync(StoreIntent.Read, Ct);
        var last = await session.Get<IPolicyVersionRepository>().GetLastActivationAsync(Ct);
        Assert.Equal((3L, "v1", PolicyActivationKinds.Rollback, "v2"), (last!.Sequence, last.Version, last.Kind, last.PreviousVersion));
        Assert.Equal(rollback.Sequence, last.Sequence);
    }

    [Fact]
    public async Task Reactivating_ShouldNotDuplicateAVersion_ButMakeItTheLastActivated()
    {
        await using var store = await MigratedAsync();
        await SaveAsync(store, "v1", Bundle("permit (principal, action, resource);"), T0);
        await SaveAsync(store, "v2", Bundle("forbid (principal, action, resource);"), T0.AddMinutes(1));
        await SaveAsync(store, "v1", Bundle("permit (principal, action, resource);"), T0.AddMinutes(2));

        await using var session = await store.BeginAsync(StoreIntent.Read, Ct);
        var repository = session.Get<IPolicyVersionRepository>();
        Assert.Equal(2, (await repository.ListAsync(10, Ct)).Count);
        var last = await repository.GetLastActivatedAsync(Ct);
        Assert.Equal("v1", last!.Version);
        Assert.Equal(T0, last.CreatedAt);
        Assert.Equal(T0.AddMinutes(2), last.ActivatedAt);
    }

    [Fact]
    public async Task Rollback_ShouldAppendAnActivation_AndLeaveTheVersionAsFirstRecorded()
    {
        await using var store = await MigratedAsync();
        var v1 = Bundle("permit (principal, action, resource);");
        Assert.True((await SaveAsync(store, "v1", v1, T0, origin: "data:/policies", actor: "system")).NewVersion);
        await SaveAsync(store, "v2", Bundle("forbid (principal, action, resource);"), T0.AddMinutes(1), origin: "admin", actor: "admin", previous: "v1");
        var rollback = await SaveAsync(store, "v1", v1, T0.AddMinutes(2), PolicyActivationKinds.Rollback, "rollback", "admin", "v2");

        Assert.False(rollback.NewVersion);
        await using var session = await store.BeginAsync(StoreIntent.Read, Ct);
        var repository = session.Get<IPolicyVersionRepository>();
        var version = await repository.GetAsync("v1", Ct);
        Assert.Equal(("data:/policies", "system", T0), (version!.Origin, version.Actor, version.CreatedAt));
        Assert.Equal(T0.AddMinutes(2), version.ActivatedAt);
        var history = await repository.ListActivationsAsync(10, Ct);
        Assert.Equal(
            [(3L, "v1", PolicyActivationKinds.Rollback, "rollback", "admin", "v2"), (2L, "v2", PolicyActivationKinds.Activation, "admin", "admin", "v1"), (1L, "v1", PolicyActivationKinds.Activation, "data:/policies", "system", null)],
            history.Select(a => (a.Sequence, a.Version, a.Kind, a.Origin, a.Actor, a.PreviousVersion)));
        Assert.Equal("v1", (await repository.GetLastActivatedAsync(Ct))!.Version);
    }

    [Fact]
    public async Task UnknownVersion_ShouldBeNull()
    {
        await using var store = await MigratedAsync();
        await using var session = await store.BeginAsync(StoreIntent.Read, Ct);
        Assert.Null(await session.Get<IPolicyVersionRepository>().GetAsync("nope", Ct));
        Assert.Null(await session.Get<IPolicyVersionRepository>().GetLastActivatedAsync(Ct));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PolicyBundle Bundle(string policy) =>
        new([new PolicyFile("p.cedar", policy)], """[{"uid":{"type":"User","id":"a"},"attrs":{},"parents":[]}]""", null);

    private static async Task<PolicyActivationRecord> SaveAsync(
        IMandateStore store, string version, PolicyBundle bundle, DateTimeOffset now, string kind = PolicyActivationKinds.Activation, string origin = "test", string actor = "tester", string? previous = null)
    {
        await using var session = await store.BeginAsync(StoreIntent.Write, Ct);
        var activation = await session.Get<IPolicyVersionRepository>().SaveActivationAsync(version, kind, origin, actor, bundle, previous, now, Ct);
        await session.CommitAsync(Ct);
        return activation;
    }

    private async Task<IMandateStore> MigratedAsync()
    {
        var store = await CreateStoreAsync();
        await store.MigrateAsync(Ct);
        return store;
    }
}
