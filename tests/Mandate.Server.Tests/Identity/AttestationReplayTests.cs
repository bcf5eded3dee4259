using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Identity.Attestation;
using Mandate.Core.Storage;
using Mandate.Server.Identity;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Tests.Shared.ProblemAssert;

namespace Mandate.Server.Tests.Identity;

/// <summary>
/// Replay protection of OIDC attestation, end to end with local issuers serving real JWKS over loopback: a platform
/// token with a jti is exchanged once per issuer unless the issuer reuses tokens by design.
/// </summary>
public sealed class AttestationReplayTests(AttestationReplayTests.Fixture fixture) : IClassFixture<AttestationReplayTests.Fixture>
{
    private const string Audience = "mandate-attestation";
    private const string Pipeline = "spiffe://demo.mandate.local/ci/github/acme/deploy";

    private MandateTestServer server => fixture.Server;

    private ManualClock clock => fixture.Clock;

    /// <summary>
    /// Three issuers: <see cref="Strict"/> (defaults: replay protection on, jti optional), <see cref="Reusing"/>
    /// (replay protection off, as for Kubernetes projected tokens) and <see cref="Requiring"/> (jti required).
    /// </summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public TestOidcIssuer Strict { get; private set; } = null!;

        public TestOidcIssuer Reusing { get; private set; } = null!;

        public TestOidcIssuer Requiring { get; private set; } = null!;

        internal MandateTestServer Server { get; private set; } = null!;

        public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

        public async ValueTask InitializeAsync()
        {
            Strict = await TestOidcIssuer.StartAsync();
            Reusing = await TestOidcIssuer.StartAsync();
            Requiring = await TestOidcIssuer.StartAsync();
            Server = await MandateTestServer.StartAsync(configureBuilder: b =>
            {
                b.Services.AddSingleton<TimeProvider>(Clock);
                b.Configuration.AddInMemoryCollection(Configuration(Strict, Reusing, Requiring));
            });
            await IdentityTestData.RegisterAsync(Server, Pipeline, "ci_pipeline");
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            await Strict.DisposeAsync();
            await Reusing.DisposeAsync();
            await Requiring.DisposeAsync();
        }
    }

    internal static Dictionary<string, string?> Configuration(TestOidcIssuer strict, TestOidcIssuer? reusing = null, TestOidcIssuer? requiring = null)
    {
        var settings = new Dictionary<string, string?>
        {
            // These tests attest far more often than a workload would; the limit has tests of its own.
            ["Mandate:Identity:AttestationRateLimit:PermitLimit"] = "10000",
        };
        void Issuer(int index, TestOidcIssuer issuer)
        {
            var prefix = $"Mandate:Identity:OidcIssuers:{index}:";
            settings[prefix + "Issuer"] = issuer.Issuer;
            settings[prefix + "JwksUri"] = issuer.JwksUri;
            settings[prefix + "Audience"] = Audience;
            settings[prefix + "Algorithms:0"] = "RS256";
            settings[prefix + "Rules:0:Match:ref"] = "refs/heads/main";
            settings[prefix + "Rules:0:SpiffeId"] = "spiffe://demo.mandate.local/ci/github/{repository}";
        }

        Issuer(0, strict);
        if (reusing is not null)
        {
            Issuer(1, reusing);
            settings["Mandate:Identity:OidcIssuers:1:ReplayProtection"] = "false";
        }

        if (requiring is not null)
        {
            Issuer(2, requiring);
            settings["Mandate:Identity:OidcIssuers:2:RequireJti"] = "true";
        }

        return settings;
    }

    private Dictionary<string, object> Claims(TestOidcIssuer issuer, string? jti = "fresh")
    {
        var claims = issuer.GitHubClaims(clock.GetUtcNow(), Audience);
        if (jti is null)
        {
            claims.Remove("jti");
        }
        else if (jti != "fresh")
        {
            claims["jti"] = jti;
        }

        return claims;
    }

    private static Task<HttpResponseMessage> AttestAsync(MandateTestServer target, string token) =>
        target.Client.PostAsJsonAsync("/v1/attest/oidc", new { token }, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Replay_ShouldBeRefused_AndRaiseATokenReuseDetection()
    {
        var claims = Claims(fixture.Strict);
        var jti = (string)claims["jti"];
        var token = fixture.Strict.Sign(claims);
        var first = await AttestAsync(server, token);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var replay = await AttestAsync(server, token);
        var problem = await ProblemAsync(replay, HttpStatusCode.Unauthorized, "attestation-token-replayed");
        Assert.DoesNotContain(token, problem.GetRawText(), StringComparison.Ordinal);

        // A detection naming the token by its jti's hash, and the refusal itself, both audited.
        var credentialId = PlatformTokenReplayGuard.CredentialId(jti);
        var detection = Assert.Single(await IdentityAudit.EventsAsync(server, "detection.token_reuse"), e => e.GetProperty("jti").GetString() == credentialId);
        Assert.Equal("deny", detection.GetProperty("decision").GetString());
        Assert.Equal("attest_oidc", detection.GetProperty("action").GetString());
        Assert.Equal(Pipeline, detection.GetProperty("subject").GetString());
        Assert.Equal("replayed", detection.GetProperty("details").GetProperty("state").GetString());
        Assert.Equal("oidc:" + fixture.Strict.Issuer, detection.GetProperty("details").GetProperty("source").GetString());
        Assert.Equal(Pipeline, detection.GetProperty("details").GetProperty("first_spiffe_id").GetString());
        Assert.Contains(
            await IdentityAudit.EventsAsync(server, "identity.request_rejected"),
            e => e.GetProperty("reason").GetString() == "attestation-token-replayed" && e.GetProperty("request_id").GetString() == detection.GetProperty("request_id").GetString());

        // Neither the token nor its raw jti is in the ledger.
        var ledger = await IdentityAudit.AllTextAsync(server);
        Assert.DoesNotContain(token.Split('.')[2], ledger, StringComparison.Ordinal);
        Assert.DoesNotContain(jti, ledger, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentRedemptions_ShouldYieldExactlyOneSvid()
    {
        var token = fixture.Strict.Sign(Claims(fixture.Strict));
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => AttestAsync(server, token)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await ProblemAsync(refused, HttpStatusCode.Unauthorized, "attestation-token-replayed");
        }
    }

    [Fact]
    public async Task TheSameJti_ShouldBeTrackedPerIssuer()
    {
        var jti = "shared-" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.OK, (await AttestAsync(server, fixture.Strict.Sign(Claims(fixture.Strict, jti)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AttestAsync(server, fixture.Requiring.Sign(Claims(fixture.Requiring, jti)))).StatusCode);
        await ProblemAsync(await AttestAsync(server, fixture.Requiring.Sign(Claims(fixture.Requiring, jti))), HttpStatusCode.Unauthorized, "attestation-token-replayed");
    }

    [Fact]
    public async Task AnIssuerWithoutReplayProtection_ShouldAcceptTheSameTokenAgain()
    {
        var token = fixture.Reusing.Sign(Claims(fixture.Reusing));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await AttestAsync(server, token)).StatusCode);
        }

        Assert.Null(await RecordAsync(fixture.Reusing.Issuer, token));
    }

    [Fact]
    public async Task TokensWithoutJti_ShouldBeAcceptedRepeatedly_UnlessTheIssuerRequiresJti()
    {
        var token = fixture.Strict.Sign(Claims(fixture.Strict, jti: null));
        Assert.Equal(HttpStatusCode.OK, (await AttestAsync(server, token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AttestAsync(server, token)).StatusCode);

        var refused = await AttestAsync(server, fixture.Requiring.Sign(Claims(fixture.Requiring, jti: null)));
        var problem = await ProblemAsync(refused, HttpStatusCode.Unauthorized, "token-malformed");
        Assert.Contains("jti", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedToken_ShouldNotBeRecorded()
    {
        // A token that fails verification (wrong audience) leaves nothing behind; its valid twin is then accepted.
        var claims = Claims(fixture.Strict);
        var wrongAudience = new Dictionary<string, object>(claims) { ["aud"] = "someone-else" };
        await ProblemAsync(await AttestAsync(server, fixture.Strict.Sign(wrongAudience)), HttpStatusCode.Unauthorized, "token-audience-mismatch");
        Assert.Equal(HttpStatusCode.OK, (await AttestAsync(server, fixture.Strict.Sign(claims))).StatusCode);
    }

    [Fact]
    public async Task ATokenForAnIdentityNotRegisteredYet_ShouldNotBeSpent()
    {
        // The platform token verifies and maps, but its SPIFFE ID is not in the inventory yet: refused, and not redeemed,
        // so the same token works once an administrator registers the identity.
        var repository = "acme/late-" + Guid.NewGuid().ToString("N")[..8];
        var claims = fixture.Strict.GitHubClaims(clock.GetUtcNow(), Audience, repository: repository);
        var token = fixture.Strict.Sign(claims);
        await ProblemAsync(await AttestAsync(server, token), HttpStatusCode.NotFound, "identity-unknown");

        await IdentityTestData.RegisterAsync(server, "spiffe://demo.mandate.local/ci/github/" + repository, "ci_pipeline");
        Assert.Equal(HttpStatusCode.OK, (await AttestAsync(server, token)).StatusCode);
        await ProblemAsync(await AttestAsync(server, token), HttpStatusCode.Unauthorized, "attestation-token-replayed");
    }

    [Fact]
    public async Task Maintenance_ShouldPurgeTheRecord_OnceTheTokenExpired()
    {
        var ct = TestContext.Current.CancellationToken;
        var claims = Claims(fixture.Strict);
        var token = fixture.Strict.Sign(claims);
        Assert.Equal(HttpStatusCode.OK, (await AttestAsync(server, token)).StatusCode);
        var record = await RecordAsync(fixture.Strict.Issuer, token);
        Assert.NotNull(record);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds((long)claims["exp"]).AddSeconds(30), record.ExpiresAt);

        var maintenance = server.Services.GetRequiredService<IdentityMaintenanceService>();
        await maintenance.RunOnceAsync(ct);
        Assert.NotNull(await RecordAsync(fixture.Strict.Issuer, token));

        clock.Set(record.ExpiresAt);
        await maintenance.RunOnceAsync(ct);
        Assert.Null(await RecordAsync(fixture.Strict.Issuer, token));

        // Purged, the token is still refused: as expired.
        await ProblemAsync(await AttestAsync(server, token), HttpStatusCode.Unauthorized, "token-expired");
    }

    [Fact]
    public async Task Replay_ShouldBeRefusedOnAnotherNode_SharingThePostgresStore()
    {
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        await using var first = await MandateTestServer.StartAsync(
            o => o.Store = MandateTestServer.PostgresLocation(connection),
            b => b.Configuration.AddInMemoryCollection(Configuration(fixture.Strict)));
        await IdentityTestData.RegisterAsync(first, Pipeline, "ci_pipeline");
        var secondState = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(secondState);
        File.Copy(Path.Combine(first.Options.StateDirectory, "identity.kek"), Path.Combine(secondState, "identity.kek"));
        File.Copy(Path.Combine(first.Options.StateDirectory, "audit-signing.kek"), Path.Combine(secondState, "audit-signing.kek"));
        await using var second = await MandateTestServer.StartAsync(
            o =>
            {
                o.Store = MandateTestServer.PostgresLocation(connection);
                o.StateDirectory = secondState;
            },
            b => b.Configuration.AddInMemoryCollection(Configuration(fixture.Strict)));

        var token = fixture.Strict.Sign(fixture.Strict.GitHubClaims(DateTimeOffset.UtcNow, Audience));
        Assert.Equal(HttpStatusCode.OK, (await AttestAsync(first, token)).StatusCode);
        await ProblemAsync(await AttestAsync(second, token), HttpStatusCode.Unauthorized, "attestation-token-replayed");
        Assert.Single(await IdentityAudit.EventsAsync(second, "detection.token_reuse"));
    }

    private async Task<RedeemedPlatformToken?> RecordAsync(string issuer, string token)
    {
        var payload = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(token.Split('.')[1])).RootElement;
        var ct = TestContext.Current.CancellationToken;
        await using var session = await server.Services.GetRequiredService<IMandateStore>().BeginAsync(StoreIntent.Read, ct);
        return await session.Get<IRedeemedPlatformTokenRepository>().GetAsync(issuer, PlatformTokenReplayGuard.Hash(payload.GetProperty("jti").GetString()!), ct);
    }
}
