using Mandate.Core.Credentials;
using Mandate.Core.Storage;
using Mandate.Core.Tasks;

namespace Mandate.Storage.Tests.Tasks;

/// <summary>What every store must do for tasks and credentials; run against SQLite and PostgreSQL.</summary>
public abstract class TaskStoreContractTests : MigratedStoreTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000);

    [Fact]
    public async Task Tasks_ShouldRoundTrip_AndListDueOnes()
    {
        var task = NewTask("task_a", T0.AddMinutes(5));
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<ITaskRepository>().InsertAsync(task, Ct);
            await session.Get<ITaskRepository>().InsertAsync(NewTask("task_b", T0.AddMinutes(50)), Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var tasks = read.Get<ITaskRepository>();
        var loaded = await tasks.GetAsync("task_a", Ct);
        Assert.Equal(task.Intent.Actions, loaded!.Intent.Actions);
        Assert.Equal(DataSensitivity.Medium, loaded.Intent.SensitivityCeiling);
        Assert.Equal(task.ExpiresAt, loaded.ExpiresAt);
        Assert.Equal(["task_a"], (await tasks.ListDueAsync(T0.AddMinutes(10), 10, Ct)).Select(t => t.Id));
        Assert.Equal(2, await tasks.CountActiveAsync(T0, Ct));
        Assert.Equal(1, await tasks.CountActiveAsync(T0.AddMinutes(10), Ct));
        Assert.Equal(0, await tasks.CountActiveAsync(T0.AddMinutes(50), Ct));
        Assert.Equal(2, (await tasks.ListAsync("spiffe://td/agent", MandateTaskStatus.Open, 10, Ct)).Count);
        Assert.Empty(await tasks.ListAsync("spiffe://td/other", null, 10, Ct));
    }

    [Fact]
    public async Task ListPage_ShouldWalkTheNewestFirstOrder_BothWays_WithTiesBrokenById()
    {
        // Five tasks: two share an opening time (the id breaks the tie), one belongs to another subject.
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<ITaskRepository>();
            await repository.InsertAsync(NewTask("t1", T0.AddHours(1)) with { OpenedAt = T0.AddMinutes(1) }, Ct);
            await repository.InsertAsync(NewTask("t2a", T0.AddHours(1)) with { OpenedAt = T0.AddMinutes(2) }, Ct);
            await repository.InsertAsync(NewTask("t2b", T0.AddHours(1)) with { OpenedAt = T0.AddMinutes(2) }, Ct);
            await repository.InsertAsync(NewTask("t3", T0.AddHours(1)) with { OpenedAt = T0.AddMinutes(3) }, Ct);
            await repository.InsertAsync(NewTask("x", T0.AddHours(1)) with { OpenedAt = T0.AddMinutes(2), Subject = "spiffe://td/other" }, Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var tasks = read.Get<ITaskRepository>();
        const string Agent = "spiffe://td/agent";
        Assert.Equal(["t3", "t2a", "t2b", "t1"], (await tasks.ListAsync(Agent, null, 10, Ct)).Select(t => t.Id));
        var first = await tasks.ListAsync(Agent, null, 2, Ct);
        Assert.Equal(["t3", "t2a"], first.Select(t => t.Id));
        var older = await tasks.ListPageAsync(Agent, null, TaskListCursor.Of(first[^1]), older: true, 2, Ct);
        Assert.Equal(["t2b", "t1"], older.Select(t => t.Id));
        var newer = await tasks.ListPageAsync(Agent, null, TaskListCursor.Of(older[0]), older: false, 2, Ct);
        Assert.Equal(["t2a", "t3"], newer.Select(t => t.Id));
        Assert.Equal(["t2a", "t2b", "x", "t1"], (await tasks.ListPageAsync(null, MandateTaskStatus.Open, TaskListCursor.Of(first[0]), older: true, 10, Ct)).Select(t => t.Id));

        // The cursor as a page link carries it.
        Assert.True(TaskListCursor.TryParse(TaskListCursor.Of(older[0]).ToString(), out var parsed));
        Assert.Equal(TaskListCursor.Of(older[0]), parsed);
        Assert.False(TaskListCursor.TryParse("x.t1", out _));
        Assert.False(TaskListCursor.TryParse("12.", out _));
    }

    [Fact]
    public async Task Revoke_ShouldReachEveryDescendant_OnlyOnce()
    {
        var root = Credential("root", null);
        var child = Credential("child", "root");
        var grandchild = Credential("grandchild", "child");
        var unrelated = Credential("unrelated", null);
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            foreach (var credential in new[] { root, child, grandchild, unrelated })
            {
                await session.Get<ICredentialRepository>().InsertAsync(credential, Ct);
            }

            await session.CommitAsync(Ct);
        }

        IReadOnlyList<RevokedCredential> revoked;
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            revoked = await session.Get<ICredentialRepository>().RevokeWithDescendantsAsync(["root"], T0, "test", "admin", Ct);
            Assert.Empty(await session.Get<ICredentialRepository>().RevokeWithDescendantsAsync(["child"], T0, "again", "admin", Ct));
            await session.CommitAsync(Ct);
        }

        Assert.Equal(["child", "grandchild", "root"], revoked.Select(c => c.Jti).Order(StringComparer.Ordinal));
        Assert.Equal("child", revoked.Single(c => c.Jti == "grandchild").ParentJti);
        Assert.Null(revoked.Single(c => c.Jti == "root").ParentJti);
        Assert.All(revoked, c => Assert.Equal(root.Subject, c.Subject));
        Assert.All(revoked, c => Assert.Equal("task_contract", c.TaskId));
        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var credentials = read.Get<ICredentialRepository>();
        Assert.Equal("test", (await credentials.GetAsync("grandchild", Ct))!.RevokedReason);
        Assert.Null((await credentials.GetAsync("unrelated", Ct))!.RevokedAt);
        Assert.Equal(3, (await credentials.ListRevokedJtisAsync(DateTimeOffset.UnixEpoch, T0, Ct)).Count);
        Assert.Empty(await credentials.ListRevokedJtisAsync(DateTimeOffset.UnixEpoch, T0.AddHours(2), Ct));
    }

    [Fact]
    public async Task ScheduledRevocation_ShouldBeDueOnlyOnceItsTimeHasCome_AndOnlyWhileNotRevoked()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var credentials = session.Get<ICredentialRepository>();
            foreach (var jti in new[] { "old", "gone", "other" })
            {
                await credentials.InsertAsync(Credential(jti, null), Ct);
            }

            await credentials.RevokeWithDescendantsAsync(["gone"], T0, "test", "admin", Ct);
            await credentials.ScheduleRevocationAsync(["old", "gone"], T0.AddMinutes(2), Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var repository = read.Get<ICredentialRepository>();
        Assert.Empty(await repository.ListRevocationsDueAsync(T0.AddMinutes(1), 10, Ct));
        Assert.Equal(["old"], await repository.ListRevocationsDueAsync(T0.AddMinutes(2), 10, Ct));
    }

    [Fact]
    public async Task Uses_ShouldAccumulate_KeepingFirstAndLast()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<ICredentialRepository>().InsertAsync(Credential("used", null), Ct);
            await session.Get<ICredentialRepository>().RecordUseAsync("used", 2, T0.AddSeconds(10), T0.AddSeconds(20), "pep-a", Ct);
            await session.Get<ICredentialRepository>().RecordUseAsync("used", 1, T0.AddSeconds(5), T0.AddSeconds(5), "pep-old", Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var usage = (await read.Get<ICredentialRepository>().GetAsync("used", Ct))!.Usage;
        Assert.Equal(3, usage.Count);
        Assert.Equal(T0.AddSeconds(5), usage.FirstUsedAt);
        Assert.Equal(T0.AddSeconds(20), usage.LastUsedAt);
        Assert.Equal("pep-a", usage.LastSource);
    }

    [Fact]
    public async Task HeldBy_ShouldFindCredentialsBySubjectOrHolder()
    {
        await using var session = await Store.BeginAsync(StoreIntent.Write, Ct);
        var credentials = session.Get<ICredentialRepository>();
        await credentials.InsertAsync(Credential("mine", null), Ct);
        await credentials.InsertAsync(Credential("acting", null) with { Subject = "spiffe://td/user", Holder = "spiffe://td/agent", Chain = ["spiffe://td/agent"] }, Ct);
        await credentials.InsertAsync(Credential("other", null) with { Subject = "spiffe://td/x", Holder = "spiffe://td/x" }, Ct);
        Assert.Equal(["acting", "mine"], (await credentials.ListJtisHeldByAsync(["spiffe://td/agent"], Ct)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CountLive_ShouldCountOnlyUnrevokedUnexpiredCredentials()
    {
        // The console's overview: live credentials are counted, never listed.
        await using var session = await Store.BeginAsync(StoreIntent.Write, Ct);
        var credentials = session.Get<ICredentialRepository>();
        await credentials.InsertAsync(Credential("live-1", null), Ct);
        await credentials.InsertAsync(Credential("live-2", null), Ct);
        await credentials.InsertAsync(Credential("expired", null) with { ExpiresAt = T0.AddMinutes(1) }, Ct);
        await credentials.InsertAsync(Credential("revoked", null), Ct);
        await credentials.RevokeWithDescendantsAsync(["revoked"], T0.AddMinutes(2), "test", "test", Ct);
        Assert.Equal(2, await credentials.CountLiveAsync(T0.AddMinutes(5), Ct));
        Assert.Equal(3, await credentials.CountLiveAsync(T0, Ct));
        Assert.Equal(0, await credentials.CountLiveAsync(T0.AddHours(2), Ct));
    }

    private static MandateTask NewTask(string id, DateTimeOffset expires) => new()
    {
        Id = id,
        Subject = "spiffe://td/agent",
        Intent = new TaskIntent { Description = "d", Actions = ["read"], Resources = ["Ticket"], SensitivityCeiling = DataSensitivity.Medium },
        Status = MandateTaskStatus.Open,
        OpenedAt = T0,
        ExpiresAt = expires,
        LeaseLimit = T0.AddHours(8),
    };

    private static CredentialRecord Credential(string jti, string? parent) => new()
    {
        Jti = jti,
        Kind = parent is null ? CredentialKinds.Task : CredentialKinds.Exchanged,
        Subject = "spiffe://td/agent",
        Holder = "spiffe://td/agent",
        TaskId = "task_contract",
        ParentJti = parent,
        Scopes = ["read"],
        Audiences = ["spiffe://td"],
        IssuedAt = T0,
        ExpiresAt = T0.AddHours(1),
    };
}

public sealed class SqliteTaskStoreTests : TaskStoreContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new Mandate.Storage.Sqlite.SqliteStore(TempPaths.NewFile("tasks", ".db")));
}

public sealed class PostgresTaskStoreTests : TaskStoreContractTests
{
    private protected override async Task<IMandateStore> CreateStoreAsync() =>
        new Mandate.Storage.Postgres.PostgresStore(await PostgresTestDatabase.CreateSchemaAsync());
}
