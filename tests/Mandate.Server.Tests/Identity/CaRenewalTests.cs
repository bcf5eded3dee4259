using System.Security.Cryptography.X509Certificates;
using Mandate.Core.Audit;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Storage;
using Mandate.Server.Identity;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

/// <summary>
/// X.509 CA renewal with a moved clock: the successor is published before it signs, and the old CA stays in the SPIFFE
/// bundle until it expires, which is never before an SVID it signed (a leaf never outlives its CA).
/// </summary>
public sealed class CaRenewalTests : IAsyncLifetime
{
    private const string Workload = "spiffe://demo.mandate.local/test/ca-renewal";
    private static readonly TimeSpan Prepublication = TimeSpan.FromMinutes(10);
    private readonly ManualClock clock = new(new DateTimeOffset(2031, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private MandateTestServer server = null!;

    public async ValueTask InitializeAsync()
    {
        server = await StartAsync();
        await X509Issuing.RegisterAsync(server, Workload, TimeSpan.FromDays(30));
    }

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    private Task<MandateTestServer> StartAsync(string? state = null) =>
        KeyRingTestServer.StartAsync(
            clock,
            new Dictionary<string, string?>
            {
                // Renewed with a third of its life (one day) left; leaves live at most that day.
                ["Mandate:Identity:CaLifetime"] = "3.00:00:00",
                ["Mandate:Identity:X509SvidMaxTtl"] = "1.00:00:00",
                ["Mandate:Identity:KeyPrepublication"] = "00:10:00",
            },
            state);

    private KeyRing Ring => server.Services.GetRequiredService<KeyRing>();

    private static string Thumbprints(IEnumerable<X509Certificate2> certificates) =>
        string.Join(",", certificates.Select(c => c.Thumbprint).Order(StringComparer.Ordinal));

    [Fact]
    public async Task Renewal_ShouldPrepublishTheNewCa_AndKeepTheOldOneUntilEverySvidItSignedHasExpired()
    {
        var ct = TestContext.Current.CancellationToken;
        var ca1 = Assert.Single(await X509Issuing.PublishedAuthoritiesAsync(server));
        var ca1End = X509Issuing.NotAfter(ca1);
        var sequenceBefore = Ring.BundleSequence();

        // More than a third of its life left: nothing to do.
        clock.Set(ca1End.AddDays(-1).AddMinutes(-1));
        Assert.False(await Ring.RotateIfDueAsync(ct));
        var a = await X509Issuing.IssueAsync(server, Workload, ttlSeconds: 24 * 3600);
        Assert.Equal(ca1.Thumbprint, X509Issuing.IssuerOf(a, [ca1]).Thumbprint);

        // A third left: the successor is created and published at once, exactly once.
        clock.Set(ca1End.AddDays(-1).AddMinutes(1));
        Assert.True(await Ring.RotateIfDueAsync(ct));
        Assert.False(await Ring.RotateIfDueAsync(ct));
        var both = await X509Issuing.PublishedAuthoritiesAsync(server);
        Assert.Equal(2, both.Count);
        var ca2 = both.Single(c => c.Thumbprint != ca1.Thumbprint);
        Assert.True(X509Issuing.NotAfter(ca2) > ca1End.AddDays(1));
        Assert.True(Ring.BundleSequence() > sequenceBefore);

        // During pre-publication the old CA still signs (relying parties may not have fetched the new one yet); the
        // leaf is cut at the old CA's end.
        var b = await X509Issuing.IssueAsync(server, Workload, ttlSeconds: 24 * 3600);
        Assert.Equal(ca1.Thumbprint, X509Issuing.IssuerOf(b, both).Thumbprint);
        Assert.Equal(ca1End, X509Issuing.NotAfter(b));

        // From activation the new CA signs; the answer's bundle carries both authorities.
        clock.Advance(Prepublication + TimeSpan.FromSeconds(1));
        var c = await X509Issuing.IssueAsync(server, Workload, ttlSeconds: 24 * 3600);
        Assert.Equal(ca2.Thumbprint, X509Issuing.IssuerOf(c, both).Thumbprint);
        Assert.Equal(ca2.Thumbprint, Ring.CurrentAuthority().Thumbprint);
        foreach (var leaf in new[] { a, b, c })
        {
            Assert.Null(X509Issuing.ChainProblem(leaf, await X509Issuing.PublishedAuthoritiesAsync(server), clock.GetUtcNow()));
        }

        // Every leaf of the old CA still chains to the published bundle until the moment it expires.
        foreach (var leaf in new[] { a, b })
        {
            var lastMoment = X509Issuing.NotAfter(leaf).AddSeconds(-1);
            clock.Set(lastMoment);
            var published = await X509Issuing.PublishedAuthoritiesAsync(server);
            Assert.Contains(ca1.Thumbprint, published.Select(p => p.Thumbprint));
            Assert.Null(X509Issuing.ChainProblem(leaf, published, lastMoment));
        }

        // The old CA leaves the bundle when it expires, and by then nothing it signed is valid.
        clock.Set(ca1End.AddSeconds(1));
        var after = await X509Issuing.PublishedAuthoritiesAsync(server);
        Assert.Equal(ca2.Thumbprint, Assert.Single(after).Thumbprint);
        Assert.NotNull(X509Issuing.ChainProblem(a, after, clock.GetUtcNow()));
        Assert.Null(X509Issuing.ChainProblem(c, after, clock.GetUtcNow()));
        Assert.False(await Ring.RotateIfDueAsync(ct));

        // The renewal is in the audit log with its activation.
        await using var session = await server.Services.GetRequiredService<IMandateStore>().BeginAsync(StoreIntent.Read, ct);
        var events = new List<string>();
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(0, ct))
        {
            if (record.CanonicalJson.Contains("identity.authority_created", StringComparison.Ordinal))
            {
                events.Add(record.CanonicalJson);
            }
        }

        Assert.Equal(2, events.Count);
        Assert.Contains("\"renewal\"", events[1], StringComparison.Ordinal);
        Assert.Contains("activates_at", events[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Renewal_ShouldRunInMaintenance_AndSurviveARestart()
    {
        var ct = TestContext.Current.CancellationToken;
        var ca1 = Assert.Single(await X509Issuing.PublishedAuthoritiesAsync(server));
        clock.Set(X509Issuing.NotAfter(ca1).AddDays(-1).AddMinutes(1));
        await server.Services.GetRequiredService<IdentityMaintenanceService>().RunOnceAsync(ct);
        var both = Thumbprints(await X509Issuing.PublishedAuthoritiesAsync(server));
        Assert.Equal(2, both.Split(',').Length);

        var state = server.Options.StateDirectory;
        await server.DisposeAsync();
        server = await StartAsync(state);
        Assert.Equal(both, Thumbprints(await X509Issuing.PublishedAuthoritiesAsync(server)));
        Assert.Equal(ca1.Thumbprint, Ring.CurrentAuthority().Thumbprint);
        clock.Advance(Prepublication);
        Assert.NotEqual(ca1.Thumbprint, Ring.CurrentAuthority().Thumbprint);
        Assert.False(await Ring.RotateIfDueAsync(ct));
    }

    [Fact]
    public async Task LateRenewal_ShouldActivateTheNewCaNoLaterThanTheOldOneExpires()
    {
        // Maintenance did not run for days: the old CA has minutes left, less than the pre-publication time.
        var ct = TestContext.Current.CancellationToken;
        var ca1 = Assert.Single(await X509Issuing.PublishedAuthoritiesAsync(server));
        var ca1End = X509Issuing.NotAfter(ca1);
        clock.Set(ca1End.AddMinutes(-5));
        Assert.True(await Ring.RotateIfDueAsync(ct));
        var leaf = await X509Issuing.IssueAsync(server, Workload);
        Assert.Equal(ca1.Thumbprint, X509Issuing.IssuerOf(leaf, [ca1]).Thumbprint);
        Assert.Equal(ca1End, X509Issuing.NotAfter(leaf));

        clock.Set(ca1End);
        var next = await X509Issuing.IssueAsync(server, Workload);
        var published = await X509Issuing.PublishedAuthoritiesAsync(server);
        var ca2 = Assert.Single(published);
        Assert.NotEqual(ca1.Thumbprint, ca2.Thumbprint);
        Assert.Equal(ca2.Thumbprint, X509Issuing.IssuerOf(next, published).Thumbprint);
        Assert.Null(X509Issuing.ChainProblem(next, published, clock.GetUtcNow()));
    }

    [Fact]
    public async Task ExpiredCa_ShouldBeReplacedByOneThatSignsAtOnce()
    {
        // Down for longer than the CA's life: nothing valid is left to overlap with.
        var ct = TestContext.Current.CancellationToken;
        var ca1 = Assert.Single(await X509Issuing.PublishedAuthoritiesAsync(server));
        clock.Set(X509Issuing.NotAfter(ca1).AddDays(1));
        Assert.Empty(await X509Issuing.PublishedAuthoritiesAsync(server));
        Assert.True(await Ring.RotateIfDueAsync(ct));
        var leaf = await X509Issuing.IssueAsync(server, Workload);
        var published = await X509Issuing.PublishedAuthoritiesAsync(server);
        Assert.Null(X509Issuing.ChainProblem(leaf, published, clock.GetUtcNow()));
        Assert.NotEqual(ca1.Thumbprint, Assert.Single(published).Thumbprint);
    }
}
