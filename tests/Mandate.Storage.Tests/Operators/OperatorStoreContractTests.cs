using Mandate.Core.Decisions;
using Mandate.Core.Operators;
using Mandate.Core.Storage;
using Mandate.Storage.Postgres;
using Mandate.Storage.Sqlite;

namespace Mandate.Storage.Tests.Operators;

/// <summary>The operator, operator-token and PEP-credential repositories behave the same on every store.</summary>
public abstract class OperatorStoreContractTests : MigratedStoreTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000);

    private static OperatorAccount Account(string name, string? oidc = null, params OperatorRole[] roles) => new()
    {
        Name = name,
        DisplayName = "Display " + name,
        Roles = roles.Length == 0 ? [OperatorRole.Auditor] : roles,
        Enabled = true,
        OidcSubject = oidc,
        CreatedAt = Now,
        CreatedBy = "admin",
        UpdatedAt = Now,
    };

    private static OperatorToken Token(string id, string op, long createdOffset = 0) => new()
    {
        Id = id,
        TokenHash = OperatorDirectory.Hash("mot_" + id),
        OperatorName = op,
        Kind = OperatorTokenKind.Api,
        Label = "label " + id,
        CreatedAt = Now.AddMilliseconds(createdOffset),
        CreatedBy = "admin",
        ExpiresAt = Now.AddDays(1),
    };

    [Fact]
    public async Task Operators_ShouldRoundTrip_AndRefuseADuplicateNameOrOidcSubject()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IOperatorRepository>();
            Assert.True(await repository.InsertAsync(Account("bob", "bob@example.org", OperatorRole.Security, OperatorRole.Admin), Ct));
            Assert.True(await repository.InsertAsync(Account("alice"), Ct));
            Assert.True(await repository.InsertAsync(Account("carol"), Ct));
            Assert.False(await repository.InsertAsync(Account("bob"), Ct));
            Assert.False(await repository.InsertAsync(Account("other", "bob@example.org"), Ct));
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var operators = read.Get<IOperatorRepository>();
        var bob = await operators.GetAsync("bob", Ct);
        Assert.NotNull(bob);
        Assert.Equal([OperatorRole.Security, OperatorRole.Admin], bob.Roles);
        Assert.Equal("Display bob", bob.DisplayName);
        Assert.True(bob.Enabled);
        Assert.Equal(Now, bob.CreatedAt);
        Assert.Equal("bob", (await operators.FindByOidcSubjectAsync("bob@example.org", Ct))?.Name);
        Assert.Null(await operators.FindByOidcSubjectAsync("nobody@example.org", Ct));
        Assert.Null(await operators.GetAsync("other", Ct));
        Assert.Equal(["alice", "bob", "carol"], (await operators.ListAsync(Ct)).Select(o => o.Name));
    }

    [Fact]
    public async Task SetEnabled_ShouldChangeOnlyWhenTheValueDiffers()
    {
        await using var session = await Store.BeginAsync(StoreIntent.Write, Ct);
        var repository = session.Get<IOperatorRepository>();
        await repository.InsertAsync(Account("dora"), Ct);
        Assert.False(await repository.SetEnabledAsync("dora", true, Now.AddMinutes(1), Ct));
        Assert.True(await repository.SetEnabledAsync("dora", false, Now.AddMinutes(2), Ct));
        Assert.False(await repository.SetEnabledAsync("dora", false, Now.AddMinutes(3), Ct));
        Assert.False(await repository.SetEnabledAsync("nobody", false, Now, Ct));
        var dora = await repository.GetAsync("dora", Ct);
        Assert.False(dora!.Enabled);
        Assert.Equal(Now.AddMinutes(2), dora.UpdatedAt);
    }

    [Fact]
    public async Task Tokens_ShouldBeFoundByHash_ListedNewestFirst_AndRevokedOnce()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var tokens = session.Get<IOperatorTokenRepository>();
            await tokens.InsertAsync(Token("otk_a", "erin"), Ct);
            await tokens.InsertAsync(Token("otk_b", "erin", 1000), Ct);
            await tokens.InsertAsync(Token("otk_c", "frank"), Ct);
            await session.CommitAsync(Ct);
        }

        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var tokens = session.Get<IOperatorTokenRepository>();
            Assert.True(await tokens.RevokeAsync("otk_a", Now.AddHours(1), "operator:erin", "lost", Ct));
            Assert.False(await tokens.RevokeAsync("otk_a", Now.AddHours(2), "admin", "again", Ct));
            Assert.False(await tokens.RevokeAsync("otk_none", Now, "admin", null, Ct));
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var repository = read.Get<IOperatorTokenRepository>();
        var found = await repository.FindByHashAsync(OperatorDirectory.Hash("mot_otk_b"), Ct);
        Assert.Equal("otk_b", found?.Id);
        Assert.Equal("erin", found?.OperatorName);
        Assert.Equal(Now.AddDays(1), found?.ExpiresAt);
        Assert.Null(await repository.FindByHashAsync(OperatorDirectory.Hash("mot_unknown"), Ct));
        Assert.Equal(["otk_b", "otk_a"], (await repository.ListAsync("erin", Ct)).Select(t => t.Id));
        var revoked = await repository.GetAsync("otk_a", Ct);
        Assert.Equal(Now.AddHours(1), revoked!.RevokedAt);
        Assert.Equal("operator:erin", revoked.RevokedBy);
        Assert.Equal("lost", revoked.RevokedReason);
        Assert.False(revoked.IsUsableAt(Now));
    }

    [Fact]
    public async Task PepCredentials_ShouldRoundTrip_AndBeRevokedOnce()
    {
        var credential = new StoredPepCredential
        {
            Id = "pcr_1",
            Name = "gateway",
            TokenHash = OperatorDirectory.Hash("mpt_one"),
            CreatedAt = Now,
            CreatedBy = "operator:sec",
            ExpiresAt = null,
        };
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IPepCredentialRepository>();
            await repository.InsertAsync(credential, Ct);
            await repository.InsertAsync(credential with { Id = "pcr_2", TokenHash = OperatorDirectory.Hash("mpt_two"), CreatedAt = Now.AddSeconds(1), ExpiresAt = Now.AddDays(1) }, Ct);
            Assert.True(await repository.RevokeAsync("pcr_1", Now.AddMinutes(5), "operator:sec", "retired", Ct));
            Assert.False(await repository.RevokeAsync("pcr_1", Now.AddMinutes(6), "operator:sec", null, Ct));
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var stored = read.Get<IPepCredentialRepository>();
        Assert.Equal(["pcr_2", "pcr_1"], (await stored.ListAsync(Ct)).Select(c => c.Id));
        var first = await stored.FindByHashAsync(OperatorDirectory.Hash("mpt_one"), Ct);
        Assert.False(first!.IsUsableAt(Now.AddMinutes(10)));
        Assert.Null(first.ExpiresAt);
        var second = await stored.GetAsync("pcr_2", Ct);
        Assert.True(second!.IsUsableAt(Now));
        Assert.False(second.IsUsableAt(Now.AddDays(2)));
    }
}

public sealed class SqliteOperatorStoreTests : OperatorStoreContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new SqliteStore(TempPaths.NewFile("operators", ".db")));
}

public sealed class PostgresOperatorStoreTests : OperatorStoreContractTests
{
    private protected override async Task<IMandateStore> CreateStoreAsync() =>
        new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync());
}
