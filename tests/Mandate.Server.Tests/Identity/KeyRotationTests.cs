using System.Text.Json;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

/// <summary>Scheduled rotation with overlap, driven by a moved clock: no token signed before a rotation becomes invalid early.</summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private const string Workload = "spiffe://demo.mandate.local/test/rotation";
    private readonly ManualClock clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private MandateTestServer server = null!;

    public async ValueTask InitializeAsync()
    {
        server = await KeyRingTestServer.StartAsync(clock, KeyRingTestServer.FastRotation());
        await IdentityTestData.RegisterAsync(server, Workload);
    }

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    private async Task<List<string>> PublishedKidsAsync()
    {
        var jwks = await server.Client.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative), TestContext.Current.CancellationToken);
        return JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToList();
    }

    [Fact]
    public async Task Reload_ShouldReuseDecryptedKeys_AndKeepTheirMaterialWhenOnlyTheScheduleChanged()
    {
        // The periodic reload must not decrypt and import every key again (the store hands out new arrays each read).
        var ct = TestContext.Current.CancellationToken;
        var ring = server.Services.GetRequiredService<KeyRing>();
        var before = ring.CurrentSigningKey();
        await ring.ReloadAsync(ct);
        Assert.Same(before, ring.CurrentSigningKey());

        // Rotation schedules the old key's retirement: a new schedule, the same decrypted key.
        clock.Set(clock.GetUtcNow().AddMinutes(59).AddSeconds(1));
        Assert.True(await ring.RotateIfDueAsync(ct));
        var rescheduled = ring.PublishedJwtKeys().Single(k => k.Kid == before.Kid);
        Assert.NotSame(before, rescheduled);
        Assert.NotNull(rescheduled.Stored.RetiresAt);
        Assert.Same(before.SigningKey, rescheduled.SigningKey);
    }

    [Fact]
    public async Task Rotation_ShouldPrepublishTheSuccessor_AndKeepTheRetiredKeyUntilItsTokensExpired()
    {
        var ct = TestContext.Current.CancellationToken;
        var ring = server.Services.GetRequiredService<KeyRing>();
        var issuer = server.Services.GetRequiredService<JwtSvidIssuer>();
        var validator = server.Services.GetRequiredService<JwtSvidValidator>();
        var subject = SpiffeId.Parse(Workload);
        var start = clock.GetUtcNow();
        var first = ring.CurrentSigningKey().Kid;
        var sequenceBefore = ring.BundleSequence();

        // Not due yet: nothing happens.
        clock.Set(start.AddMinutes(30));
        Assert.False(await ring.RotateIfDueAsync(ct));

        // Due: the successor is published before it signs.
        clock.Set(start.AddMinutes(59).AddSeconds(1));
        Assert.True(await ring.RotateIfDueAsync(ct));
        Assert.False(await ring.RotateIfDueAsync(ct));
        var published = await PublishedKidsAsync();
        Assert.Equal(2, published.Count);
        var second = published.Single(k => k != first);
        Assert.Equal(first, ring.CurrentSigningKey().Kid);
        var signedBeforeRotation = issuer.Issue(subject, ["rp"], TimeSpan.FromMinutes(10));
        Assert.Equal(first, signedBeforeRotation.Kid);

        // Activation: the successor signs; the old key's tokens still validate.
        clock.Set(start.AddHours(1).AddSeconds(2));
        Assert.Equal(second, ring.CurrentSigningKey().Kid);
        var signedAfterRotation = issuer.Issue(subject, ["rp"], TimeSpan.FromMinutes(10));
        Assert.Equal(second, signedAfterRotation.Kid);
        Assert.True(validator.Validate(signedBeforeRotation.Token, "rp").IsValid);
        Assert.True(validator.Validate(signedAfterRotation.Token, "rp").IsValid);

        // Just before the old token's expiry it is still valid and its key still published.
        clock.Set(signedBeforeRotation.ExpiresAt.AddSeconds(-1));
        Assert.True(validator.Validate(signedBeforeRotation.Token, "rp").IsValid);
        Assert.Contains(first, await PublishedKidsAsync());

        // The overlap ends (activation + max token lifetime + skew): the retired key disappears, the bundle changes.
        clock.Set(start.AddHours(1).AddMinutes(30).AddSeconds(31));
        Assert.Equal([second], await PublishedKidsAsync());
        var result = validator.Validate(signedBeforeRotation.Token, "rp");
        Assert.Equal(IdentityErrorCodes.TokenUnknownKey, result.Error!.Code);
        Assert.True(ring.BundleSequence() > sequenceBefore + 1);
        Assert.DoesNotContain(first, ring.ValidationKeys().Select(k => k.KeyId));
    }

    [Fact]
    public async Task Maintenance_ShouldRotateAndSurviveRestart()
    {
        var ct = TestContext.Current.CancellationToken;
        var maintenance = server.Services.GetRequiredService<Mandate.Server.Identity.IdentityMaintenanceService>();
        var ring = server.Services.GetRequiredService<KeyRing>();
        var first = ring.CurrentSigningKey().Kid;
        clock.Advance(TimeSpan.FromMinutes(59.5));
        await maintenance.RunOnceAsync(ct);
        clock.Advance(TimeSpan.FromMinutes(2));
        var second = ring.CurrentSigningKey().Kid;
        Assert.NotEqual(first, second);

        var state = server.Options.StateDirectory;
        await server.DisposeAsync();
        server = await KeyRingTestServer.StartAsync(clock, KeyRingTestServer.FastRotation(), state);
        Assert.Equal(second, server.Services.GetRequiredService<IKeyRing>().CurrentSigningCredentials().Key.KeyId);
        Assert.Equal(2, (await PublishedKidsAsync()).Count);
    }
}
