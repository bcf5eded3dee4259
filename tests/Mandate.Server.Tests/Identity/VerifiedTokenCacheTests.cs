using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

/// <summary>
/// The validator's memory of verified tokens may only save signature work: everything that can change between two
/// presentations of the same token is still checked, the memory stays bounded, and it never admits a token that did
/// not fully validate.
/// </summary>
public sealed class VerifiedTokenCacheTests : IAsyncLifetime
{
    private const string Subject = "spiffe://demo.mandate.local/test/cached";
    private const string Audience = "spiffe://demo.mandate.local/test/rp";
    private readonly ManualClock clock = new(DateTimeOffset.UtcNow);
    private MandateTestServer server = null!;

    public async ValueTask InitializeAsync()
    {
        server = await MandateTestServer.StartAsync(configureBuilder: b =>
        {
            b.Services.AddSingleton<TimeProvider>(clock);
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Mandate:Identity:ValidatedTokenCacheSize"] = "3",
                ["Mandate:Identity:ClockSkew"] = "00:00:10",
            });
        });
        await IdentityTestData.RegisterAsync(server, Subject);
    }

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    private JwtSvidValidator Validator => server.Services.GetRequiredService<JwtSvidValidator>();

    private string Issue(TimeSpan? ttl = null, string audience = Audience) =>
        server.Services.GetRequiredService<JwtSvidIssuer>().Issue(SpiffeId.Parse(Subject), [audience], ttl ?? TimeSpan.FromMinutes(5)).Token;

    [Fact]
    public void RepeatPresentation_ShouldGiveTheSameFacts_FromOneCacheEntry()
    {
        var token = Issue();
        var first = Validator.Validate(token, Audience);
        var before = Validator.CachedTokenCount;
        var second = Validator.Validate(token, Audience);

        Assert.True(first.IsValid);
        Assert.Equal(first.Svid, second.Svid);
        Assert.Equal(before, Validator.CachedTokenCount);
        Assert.True(before >= 1);
    }

    [Fact]
    public void CachedToken_ShouldStillBeRefused_ForAnotherAudience()
    {
        var token = Issue();
        Assert.True(Validator.Validate(token, Audience).IsValid);

        var result = Validator.Validate(token, "spiffe://demo.mandate.local/test/elsewhere");
        Assert.Equal(IdentityErrorCodes.TokenAudienceMismatch, result.Error!.Code);
    }

    [Fact]
    public void CachedToken_ShouldExpire_OnTime_AndLeaveTheCache()
    {
        var token = Issue(TimeSpan.FromMinutes(1));
        Assert.True(Validator.Validate(token, Audience).IsValid);
        var cached = Validator.CachedTokenCount;

        clock.Advance(TimeSpan.FromMinutes(1).Add(TimeSpan.FromSeconds(11)));
        var result = Validator.Validate(token, Audience);

        Assert.Equal(IdentityErrorCodes.TokenExpired, result.Error!.Code);
        Assert.Equal(cached - 1, Validator.CachedTokenCount);
    }

    [Fact]
    public async Task CachedToken_ShouldBeRefused_OnceItsIdentityIsSuspended()
    {
        var ct = TestContext.Current.CancellationToken;
        var token = Issue();
        Assert.True(Validator.Validate(token, Audience).IsValid);

        var inventory = server.Services.GetRequiredService<IdentityInventory>();
        var changed = await inventory.ChangeStatusAsync(Subject, IdentityStatus.Suspended, "test", "test", null, ct);
        Assert.Null(changed.Error);
        try
        {
            Assert.Equal(IdentityErrorCodes.IdentityInactive, Validator.Validate(token, Audience).Error!.Code);
        }
        finally
        {
            Assert.Null((await inventory.ChangeStatusAsync(Subject, IdentityStatus.Active, "test", "test", null, ct)).Error);
        }

        Assert.True(Validator.Validate(token, Audience).IsValid);
    }

    [Fact]
    public void AlteredToken_ShouldNeverRideOnAnotherTokensEntry()
    {
        var token = Issue();
        Assert.True(Validator.Validate(token, Audience).IsValid);

        // Same header and claims, one signature character changed: a different digest, so a full (failing) check.
        var last = token[^2] == 'A' ? 'B' : 'A';
        var forged = token[..^2] + last + token[^1];
        var result = Validator.Validate(forged, Audience);

        Assert.False(result.IsValid);
        Assert.Contains(result.Error!.Code, new[] { IdentityErrorCodes.TokenSignatureInvalid, IdentityErrorCodes.TokenMalformed });
    }

    [Fact]
    public void FailedToken_ShouldNotBeRemembered()
    {
        var token = Issue(audience: "spiffe://demo.mandate.local/test/other-rp");
        var before = Validator.CachedTokenCount;

        Assert.False(Validator.Validate(token, Audience).IsValid);
        Assert.Equal(before, Validator.CachedTokenCount);
    }

    [Fact]
    public void Cache_ShouldStayWithinItsSize_AndMakeRoomWhenEntriesExpire()
    {
        var shortLived = Enumerable.Range(0, 3).Select(_ => Issue(TimeSpan.FromMinutes(1))).ToList();
        shortLived.ForEach(t => Assert.True(Validator.Validate(t, Audience).IsValid));
        Assert.Equal(3, Validator.CachedTokenCount);

        // Full: a new token still validates, it is just not remembered.
        var extra = Issue();
        Assert.True(Validator.Validate(extra, Audience).IsValid);
        Assert.Equal(3, Validator.CachedTokenCount);

        // Once the short-lived tokens expired, the next new token sweeps them out and takes a place.
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(Validator.Validate(extra, Audience).IsValid);
        Assert.Equal(1, Validator.CachedTokenCount);
    }
}
