using Mandate.Core.DynamicCredentials;
using Mandate.Core.Storage;

namespace Mandate.Storage.Tests.DynamicCredentials;

/// <summary>
/// What every store must do for dynamic credential leases (the removal queue and a renewal's pending extension); run
/// against SQLite and PostgreSQL.
/// </summary>
public abstract class DynamicCredentialLeaseStoreContractTests : MigratedStoreTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000);

    [Fact]
    public async Task Lease_ShouldRoundTrip_AndUpdateKeepsEveryField_IncludingTheExpiry()
    {
        var lease = Lease("dcl_a", "task_1", "spiffe://t/a") with { LastError = null };
        await WriteAsync(r => r.InsertAsync(lease, Ct));
        Assert.Equal(lease, await ReadAsync(r => r.GetAsync("dcl_a", Ct)));

        var changed = lease with
        {
            Status = DynamicCredentialLeaseStatus.Revoking,
            ExpiresAt = T0.AddHours(2),
            RevokeRequestedAt = T0.AddMinutes(1),
            RevokeReason = "completed",
            Attempts = 2,
            NextAttemptAt = T0.AddMinutes(3),
            LastError = "SocketException: refused",
        };
        await WriteAsync(r => r.UpdateAsync(changed, Ct));
        Assert.Equal(changed, await ReadAsync(r => r.GetAsync("dcl_a", Ct)));
        Assert.Null(await ReadAsync(r => r.GetAsync("dcl_missing", Ct)));
    }

    [Fact]
    public async Task List_ShouldFilterByTaskAndStatus_NewestFirst()
    {
        await WriteAsync(async r =>
        {
            await r.InsertAsync(Lease("dcl_1", "task_1", "spiffe://t/a") with { IssuedAt = T0 }, Ct);
            await r.InsertAsync(Lease("dcl_2", "task_1", "spiffe://t/a") with { IssuedAt = T0.AddSeconds(1), Status = DynamicCredentialLeaseStatus.Revoked }, Ct);
            await r.InsertAsync(Lease("dcl_3", "task_2", "spiffe://t/b") with { IssuedAt = T0.AddSeconds(2) }, Ct);
        });

        Assert.Equal(["dcl_3", "dcl_2", "dcl_1"], (await ReadAsync(r => r.ListAsync(null, null, 10, Ct))).Select(l => l.Id));
        Assert.Equal(["dcl_2", "dcl_1"], (await ReadAsync(r => r.ListAsync("task_1", null, 10, Ct))).Select(l => l.Id));
        Assert.Equal(["dcl_1"], (await ReadAsync(r => r.ListAsync("task_1", DynamicCredentialLeaseStatus.Active, 10, Ct))).Select(l => l.Id));
        Assert.Equal(["dcl_3"], (await ReadAsync(r => r.ListAsync(null, null, 1, Ct))).Select(l => l.Id));
    }

    [Fact]
    public async Task RevocationRequests_ShouldMarkOnlyIssuingAndActiveLeases_DueNow_WithAFreshRetryCount()
    {
        await WriteAsync(async r =>
        {
            // An active lease whose renewal's extension failed twice: its removal starts its own count.
            await r.InsertAsync(Lease("dcl_t1", "task_1", "spiffe://t/a") with { Attempts = 2, NextAttemptAt = T0.AddMinutes(5), LastError = "extension failed" }, Ct);
            await r.InsertAsync(Lease("dcl_t2", "task_1", "spiffe://t/a") with { Status = DynamicCredentialLeaseStatus.Issuing }, Ct);
            await r.InsertAsync(Lease("dcl_t3", "task_1", "spiffe://t/a") with { Status = DynamicCredentialLeaseStatus.Revoked, RevokedAt = T0 }, Ct);
            await r.InsertAsync(Lease("dcl_s1", "task_2", "spiffe://t/b"), Ct);
            await r.InsertAsync(Lease("dcl_other", "task_3", "spiffe://t/c"), Ct);
        });

        var now = T0.AddMinutes(1);
        Assert.Equal(2, await WriteAsync(r => r.RequestRevocationForTaskAsync("task_1", now, "completed", Ct)));
        Assert.Equal(1, await WriteAsync(r => r.RequestRevocationForSubjectAsync("spiffe://t/b", now, "identity suspended", Ct)));
        Assert.Equal(0, await WriteAsync(r => r.RequestRevocationForTaskAsync("task_1", now, "again", Ct)));

        var marked = await ReadAsync(r => r.GetAsync("dcl_t1", Ct));
        Assert.Equal(DynamicCredentialLeaseStatus.Revoking, marked!.Status);
        Assert.Equal((now, "completed", 0, now, (string?)null), (marked.RevokeRequestedAt, marked.RevokeReason, marked.Attempts, marked.NextAttemptAt, marked.LastError));
        Assert.Equal(DynamicCredentialLeaseStatus.Revoked, (await ReadAsync(r => r.GetAsync("dcl_t3", Ct)))!.Status);
        Assert.Equal("identity suspended", (await ReadAsync(r => r.GetAsync("dcl_s1", Ct)))!.RevokeReason);
        Assert.Equal(DynamicCredentialLeaseStatus.Active, (await ReadAsync(r => r.GetAsync("dcl_other", Ct)))!.Status);

        Assert.Equal(["dcl_s1", "dcl_t1", "dcl_t2"], (await ReadAsync(r => r.ListRevocationsDueAsync(now, 10, Ct))).Select(l => l.Id).Order(StringComparer.Ordinal));
        Assert.Empty(await ReadAsync(r => r.ListRevocationsDueAsync(now.AddSeconds(-1), 10, Ct)));
    }

    [Fact]
    public async Task Stale_ShouldMarkExpiredActiveLeases_AndAbandonedIssuingOnes()
    {
        await WriteAsync(async r =>
        {
            await r.InsertAsync(Lease("dcl_expired", "task_1", "spiffe://t/a") with { ExpiresAt = T0 }, Ct);
            await r.InsertAsync(Lease("dcl_live", "task_1", "spiffe://t/a") with { ExpiresAt = T0.AddHours(1) }, Ct);
            await r.InsertAsync(Lease("dcl_abandoned", "task_2", "spiffe://t/a") with { Status = DynamicCredentialLeaseStatus.Issuing, IssuedAt = T0.AddMinutes(-10) }, Ct);
            await r.InsertAsync(Lease("dcl_issuing", "task_2", "spiffe://t/a") with { Status = DynamicCredentialLeaseStatus.Issuing, IssuedAt = T0 }, Ct);
        });

        Assert.Equal(2, await WriteAsync(r => r.RequestRevocationOfStaleAsync(T0, T0.AddMinutes(-5), Ct)));
        Assert.Equal("lease expired", (await ReadAsync(r => r.GetAsync("dcl_expired", Ct)))!.RevokeReason);
        Assert.Equal("issuing was abandoned", (await ReadAsync(r => r.GetAsync("dcl_abandoned", Ct)))!.RevokeReason);
        Assert.Equal(DynamicCredentialLeaseStatus.Active, (await ReadAsync(r => r.GetAsync("dcl_live", Ct)))!.Status);
        Assert.Equal(DynamicCredentialLeaseStatus.Issuing, (await ReadAsync(r => r.GetAsync("dcl_issuing", Ct)))!.Status);
    }

    [Fact]
    public async Task Claims_ShouldBeWonOnce_ARemovalByRevokingLeases_AnExtensionByActiveOnes()
    {
        await WriteAsync(async r =>
        {
            await r.InsertAsync(Lease("dcl_removal", "task_1", "spiffe://t/a") with { Status = DynamicCredentialLeaseStatus.Revoking, NextAttemptAt = T0 }, Ct);
            await r.InsertAsync(Lease("dcl_extension", "task_2", "spiffe://t/a") with { NextAttemptAt = T0 }, Ct);
            await r.InsertAsync(Lease("dcl_settled", "task_3", "spiffe://t/a") with { NextAttemptAt = null }, Ct);
            await r.InsertAsync(Lease("dcl_later", "task_4", "spiffe://t/a") with { NextAttemptAt = T0.AddMinutes(5) }, Ct);
        });

        Assert.Equal(["dcl_removal"], (await ReadAsync(r => r.ListRevocationsDueAsync(T0, 10, Ct))).Select(l => l.Id));
        Assert.Equal(["dcl_extension"], (await ReadAsync(r => r.ListExtensionsDueAsync(T0, 10, Ct))).Select(l => l.Id));

        // Each kind of claim only takes its own kind of lease, once, until the claim runs out.
        Assert.False(await WriteAsync(r => r.ClaimExtensionAsync("dcl_removal", T0, T0.AddMinutes(1), Ct)));
        Assert.False(await WriteAsync(r => r.ClaimRevocationAsync("dcl_extension", T0, T0.AddMinutes(1), Ct)));
        Assert.True(await WriteAsync(r => r.ClaimRevocationAsync("dcl_removal", T0, T0.AddMinutes(1), Ct)));
        Assert.True(await WriteAsync(r => r.ClaimExtensionAsync("dcl_extension", T0, T0.AddMinutes(1), Ct)));
        Assert.False(await WriteAsync(r => r.ClaimRevocationAsync("dcl_removal", T0, T0.AddMinutes(1), Ct)));
        Assert.False(await WriteAsync(r => r.ClaimExtensionAsync("dcl_extension", T0, T0.AddMinutes(1), Ct)));
        Assert.False(await WriteAsync(r => r.ClaimExtensionAsync("dcl_later", T0, T0.AddMinutes(1), Ct)));
        Assert.Empty(await ReadAsync(r => r.ListExtensionsDueAsync(T0, 10, Ct)));
        Assert.Equal(["dcl_extension", "dcl_later"], (await ReadAsync(r => r.ListExtensionsDueAsync(T0.AddMinutes(5), 10, Ct))).Select(l => l.Id));
        Assert.True(await WriteAsync(r => r.ClaimRevocationAsync("dcl_removal", T0.AddMinutes(1), T0.AddMinutes(2), Ct)));
    }

    private static DynamicCredentialLease Lease(string id, string taskId, string subject) => new()
    {
        Id = id,
        TaskId = taskId,
        Subject = subject,
        Engine = "orders-db",
        Username = "mandate_" + id,
        Status = DynamicCredentialLeaseStatus.Active,
        IssuedAt = T0,
        ExpiresAt = T0.AddMinutes(30),
    };

    private async Task<T> WriteAsync<T>(Func<IDynamicCredentialLeaseRepository, Task<T>> action)
    {
        await using var session = await Store.BeginAsync(StoreIntent.Write, Ct);
        var result = await action(session.Get<IDynamicCredentialLeaseRepository>());
        await session.CommitAsync(Ct);
        return result;
    }

    private async Task WriteAsync(Func<IDynamicCredentialLeaseRepository, Task> action) =>
        await WriteAsync(async r =>
        {
            await action(r);
            return true;
        });

    private async Task<T> ReadAsync<T>(Func<IDynamicCredentialLeaseRepository, Task<T>> action)
    {
        await using var session = await Store.BeginAsync(StoreIntent.Read, Ct);
        return await action(session.Get<IDynamicCredentialLeaseRepository>());
    }
}
