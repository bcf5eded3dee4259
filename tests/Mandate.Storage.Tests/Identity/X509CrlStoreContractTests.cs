using Mandate.Core.Credentials;
using Mandate.Core.Identity.X509;
using Mandate.Core.Storage;
using Mandate.Tests.Shared;

namespace Mandate.Storage.Tests.Identity;

/// <summary>What the X.509-SVID CRL reads from every store: revoked, unexpired X.509-SVIDs only, and a number that only grows.</summary>
public abstract class X509CrlStoreContractTests : MigratedStoreTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000);

    [Fact]
    public async Task Crl_ShouldListOnlyRevokedUnexpiredX509Svids_AndLiveOnesByIdentity()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var credentials = session.Get<ICredentialRepository>();
            await credentials.InsertAsync(Svid("0A", "spiffe://td/a", T0.AddHours(1)), Ct);
            await credentials.InsertAsync(Svid("0B", "spiffe://td/a", T0.AddHours(1)), Ct);
            await credentials.InsertAsync(Svid("0C", "spiffe://td/a", T0.AddMinutes(1)), Ct);
            await credentials.InsertAsync(Svid("0D", "spiffe://td/b", T0.AddHours(1)), Ct);
            await credentials.InsertAsync(new CredentialRecord { Jti = "task1", Kind = CredentialKinds.Task, Subject = "spiffe://td/a", Holder = "spiffe://td/a", IssuedAt = T0, ExpiresAt = T0.AddHours(1) }, Ct);
            Assert.Equal(["x509:0A", "x509:0B", "x509:0C"], await session.Get<IX509CrlRepository>().ListLiveJtisAsync("spiffe://td/a", T0, Ct));
            await credentials.RevokeWithDescendantsAsync(["x509:0A", "x509:0C", "task1"], T0.AddSeconds(5), "test", "admin", Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var crl = read.Get<IX509CrlRepository>();
        Assert.Equal([new RevokedX509Serial("0A", T0.AddSeconds(5)), new RevokedX509Serial("0C", T0.AddSeconds(5))], await crl.ListRevokedAsync(T0.AddSeconds(10), Ct));
        Assert.Equal([new RevokedX509Serial("0A", T0.AddSeconds(5))], await crl.ListRevokedAsync(T0.AddMinutes(2), Ct));
        Assert.Equal(["x509:0B"], await crl.ListLiveJtisAsync("spiffe://td/a", T0.AddSeconds(10), Ct));
        Assert.Empty(await crl.ListLiveJtisAsync("spiffe://td/a", T0.AddHours(2), Ct));
    }

    [Fact]
    public async Task BoundCredentials_ShouldBeFoundByCertificateThumbprint_NotRevokedOnesNorOtherBindings()
    {
        var x5t = new ProofOfPossession(ProofOfPossession.Methods.X509, "thumb-a");
        await using var session = await Store.BeginAsync(StoreIntent.Write, Ct);
        var credentials = session.Get<ICredentialRepository>();
        await credentials.InsertAsync(Svid("0A", "spiffe://td/a", T0.AddHours(1)) with { ProofOfPossession = x5t }, Ct);
        await credentials.InsertAsync(TaskCredential("bound1", x5t), Ct);
        await credentials.InsertAsync(TaskCredential("bound2", x5t), Ct);
        await credentials.InsertAsync(TaskCredential("dpop", new ProofOfPossession(ProofOfPossession.Methods.Dpop, "thumb-a")), Ct);
        await credentials.InsertAsync(TaskCredential("other", new ProofOfPossession(ProofOfPossession.Methods.X509, "thumb-b")), Ct);
        await credentials.InsertAsync(TaskCredential("unbound", null), Ct);
        await credentials.RevokeWithDescendantsAsync(["bound2"], T0, "test", "admin", Ct);
        Assert.Equal(["bound1"], await session.Get<IX509CrlRepository>().ListBoundJtisAsync(["thumb-a"], Ct));
        Assert.Empty(await session.Get<IX509CrlRepository>().ListBoundJtisAsync(["thumb-z"], Ct));
    }

    [Fact]
    public async Task CrlNumber_ShouldGrowByOne_AndNotMoveWhenItsTransactionRollsBack()
    {
        var numbers = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            await using var session = await Store.BeginAsync(StoreIntent.Write, Ct);
            numbers.Add(await session.Get<IX509CrlRepository>().NextCrlNumberAsync(Ct));
            await session.CommitAsync(Ct);
        }

        await using (var abandoned = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await abandoned.Get<IX509CrlRepository>().NextCrlNumberAsync(Ct);
        }

        await using var last = await Store.BeginAsync(StoreIntent.Write, Ct);
        numbers.Add(await last.Get<IX509CrlRepository>().NextCrlNumberAsync(Ct));
        Assert.Equal([1L, 2L, 3L, 4L], numbers);
    }

    private static CredentialRecord TaskCredential(string jti, ProofOfPossession? binding) => new()
    {
        Jti = jti,
        Kind = CredentialKinds.Task,
        Subject = "spiffe://td/a",
        Holder = "spiffe://td/a",
        IssuedAt = T0,
        ExpiresAt = T0.AddHours(1),
        ProofOfPossession = binding,
    };

    private static CredentialRecord Svid(string serial, string subject, DateTimeOffset expires) => new()
    {
        Jti = CredentialKinds.X509SvidJti(serial),
        Kind = CredentialKinds.X509Svid,
        Subject = subject,
        Holder = subject,
        IssuedAt = T0,
        ExpiresAt = expires,
    };
}

public sealed class SqliteX509CrlStoreTests : X509CrlStoreContractTests
{
    private protected override Task<IMandateStore> CreateStoreAsync() =>
        Task.FromResult<IMandateStore>(new Mandate.Storage.Sqlite.SqliteStore(TempPaths.NewFile("x509crl", ".db")));
}

public sealed class PostgresX509CrlStoreTests : X509CrlStoreContractTests
{
    private protected override async Task<IMandateStore> CreateStoreAsync() =>
        new Mandate.Storage.Postgres.PostgresStore(await PostgresTestDatabase.CreateSchemaAsync());
}
