using Mandate.Core.Exceptions;
using Mandate.Core.Storage;

namespace Mandate.Storage.Tests.Exceptions;

/// <summary>What every store must do for exception and break-glass grants; run against SQLite and PostgreSQL.</summary>
public abstract class GrantStoreContractTests : MigratedStoreTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000);

    private static AccessGrant Grant(string id, string status, DateTimeOffset expires, string identity = "spiffe://t/a") => new()
    {
        Id = id,
        Kind = GrantKinds.Exception,
        Identity = identity,
        IdentityKind = "agent",
        IdentityOwner = "team:x",
        Principal = $"Workload::\"{identity}\"",
        Action = "Action::\"read\"",
        Resource = "Doc::\"q\\\"3\"",
        Ttl = TimeSpan.FromMinutes(10),
        Reason = "INC-1 \"quoted\" é",
        Status = status,
        RequestedBy = "operator:alice",
        RequestedAt = T0,
        ExpiresAt = expires,
    };

    [Fact]
    public async Task Grants_ShouldRoundTrip_MoveOnlyFromTheExpectedStatus_AndListWhatIsDue()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IGrantRepository>();
            await repository.InsertAsync(Grant("exc_1", GrantStatuses.Pending, T0.AddMinutes(10)), Ct);
            await repository.InsertAsync(Grant("exc_2", GrantStatuses.Pending, T0.AddMinutes(1), "spiffe://t/b"), Ct);
            await session.CommitAsync(Ct);
        }

        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IGrantRepository>();
            var approved = Grant("exc_1", GrantStatuses.Active, T0.AddMinutes(20)) with { DecidedBy = "operator:bob", DecidedAt = T0.AddMinutes(1), Policy = "permit (principal, action, resource);" };
            Assert.True(await repository.UpdateAsync(approved, GrantStatuses.Pending, Ct));
            Assert.False(await repository.UpdateAsync(approved with { Status = GrantStatuses.Denied }, GrantStatuses.Pending, Ct));
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var grants = read.Get<IGrantRepository>();
        var stored = await grants.GetAsync("exc_1", Ct);
        Assert.Equal(
            Grant("exc_1", GrantStatuses.Active, T0.AddMinutes(20)) with { DecidedBy = "operator:bob", DecidedAt = T0.AddMinutes(1), Policy = "permit (principal, action, resource);" },
            stored);
        Assert.Null(await grants.GetAsync("exc_9", Ct));
        Assert.Equal(["exc_1"], (await grants.ActiveAsync(Ct)).Select(g => g.Id));
        Assert.Equal(["exc_2"], (await grants.DueAsync(T0.AddMinutes(5), 10, Ct)).Select(g => g.Id));
        Assert.Equal(["exc_2", "exc_1"], (await grants.DueAsync(T0.AddMinutes(30), 10, Ct)).Select(g => g.Id));
        Assert.Equal(2, (await grants.ListAsync(null, null, 10, Ct)).Count);
        Assert.Equal(["exc_2"], (await grants.ListAsync(GrantStatuses.Pending, null, 10, Ct)).Select(g => g.Id));
        Assert.Equal(["exc_1"], (await grants.ListAsync(null, "spiffe://t/a", 10, Ct)).Select(g => g.Id));
        Assert.Empty(await grants.ListAsync(GrantStatuses.Pending, "spiffe://t/a", 10, Ct));
    }
}
