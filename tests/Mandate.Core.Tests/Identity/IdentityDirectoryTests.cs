using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Storage;

namespace Mandate.Core.Tests.Identity;

/// <summary>The in-memory identity view when a periodic reload overlaps a status change.</summary>
public sealed class IdentityDirectoryTests
{
    private const string Id = "spiffe://td.example/svc/billing";
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static WorkloadIdentity Identity(IdentityStatus status) => new()
    {
        SpiffeId = Id,
        Kind = NhiKind.Workload,
        Owner = "team:billing",
        Purpose = "tests",
        Environment = "test",
        Status = status,
        CreatedAt = Now,
        UpdatedAt = Now,
        ExpiresAt = Now.AddDays(1),
    };

    [Fact]
    public async Task ASuspensionAppliedWhileAReloadReads_ShouldSurviveTheReloadsOlderSnapshot()
    {
        // The reload's read sees the identity still active; the suspension commits and is applied before the reload
        // swaps its snapshot in. The suspension must not be undone.
        var repository = new GatedIdentityRepository([Identity(IdentityStatus.Active)]);
        var directory = new IdentityDirectory(new OneRepositoryStore(repository));
        directory.Apply(Identity(IdentityStatus.Active));

        var reload = directory.ReloadAsync(TestContext.Current.CancellationToken);
        await repository.Listing.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        directory.Apply(Identity(IdentityStatus.Suspended) with { UpdatedAt = Now.AddMinutes(1) });
        repository.Release();
        await reload;

        Assert.Equal(IdentityErrorCodes.IdentityInactive, directory.CheckUsable(Id, Now)?.Code);
    }

    [Fact]
    public async Task AReload_ShouldStillReplaceWhatNoChangeTouched()
    {
        var repository = new GatedIdentityRepository([Identity(IdentityStatus.Revoked)]);
        repository.Release();
        var directory = new IdentityDirectory(new OneRepositoryStore(repository));
        directory.Apply(Identity(IdentityStatus.Active));
        directory.Apply(Identity(IdentityStatus.Active) with { SpiffeId = "spiffe://td.example/gone" });

        await directory.ReloadAsync(TestContext.Current.CancellationToken);

        Assert.Equal(IdentityErrorCodes.IdentityInactive, directory.CheckUsable(Id, Now)?.Code);
        Assert.Equal(IdentityErrorCodes.IdentityUnknown, directory.CheckUsable("spiffe://td.example/gone", Now)?.Code);
        Assert.Equal(1, directory.Count);
    }

    private sealed class GatedIdentityRepository(IReadOnlyList<WorkloadIdentity> snapshot) : IIdentityRepository
    {
        private readonly TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Listing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => gate.TrySetResult();

        public async Task<IReadOnlyList<WorkloadIdentity>> ListAsync(IdentityQuery query, CancellationToken cancellationToken)
        {
            Listing.TrySetResult();
            await gate.Task.WaitAsync(cancellationToken);
            return query.After is null ? snapshot : [];
        }

        public Task<WorkloadIdentity?> GetAsync(string spiffeId, CancellationToken cancellationToken) =>
            Task.FromResult(snapshot.FirstOrDefault(i => i.SpiffeId == spiffeId));

        public Task<bool> InsertAsync(WorkloadIdentity identity, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> UpdateStatusAsync(string spiffeId, IdentityStatus expected, IdentityStatus status, string? reason, DateTimeOffset now, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task NotifyChangedAsync(string spiffeId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<IdentityCount>> CountByKindAndStatusAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class OneRepositoryStore(IIdentityRepository repository) : IMandateStore, IStoreSession
    {
        public string Kind => "test";

        public Task MigrateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<StoreStatus> CheckAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IStoreSession> BeginAsync(StoreIntent intent, CancellationToken cancellationToken) => Task.FromResult<IStoreSession>(this);

        public TRepository Get<TRepository>()
            where TRepository : class => repository as TRepository ?? throw new NotSupportedException(typeof(TRepository).Name);

        public Task CommitAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void OnCommitted(Action callback) => callback();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
