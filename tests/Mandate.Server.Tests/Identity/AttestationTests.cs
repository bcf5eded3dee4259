using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

/// <summary>OIDC federation end to end: a local issuer over loopback HTTP, real keys, Mandate's strict validation.</summary>
public sealed class AttestationTests(AttestationTests.Fixture fixture) : IClassFixture<AttestationTests.Fixture>
{
    private const string Audience = "mandate-attestation";
    private const string Pipeline = "spiffe://demo.mandate.local/ci/github/acme/deploy";
    private TestOidcIssuer issuer => fixture.Issuer;

    private MandateTestServer server => fixture.Server;

    private ManualClock clock => fixture.Clock;

    /// <summary>One issuer and one server for the class: each test builds its own tokens from the shared clock.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public TestOidcIssuer Issuer { get; private set; } = null!;

        internal MandateTestServer Server { get; private set; } = null!;

        public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

        public async ValueTask InitializeAsync()
        {
            Issuer = await TestOidcIssuer.StartAsync();
            Server = await MandateTestServer.StartAsync(configureBuilder: b =>
            {
                b.Services.AddSingleton<TimeProvider>(Clock);
                b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Mandate:Identity:OidcIssuers:0:Issuer"] = Issuer.Issuer,
                    ["Mandate:Identity:OidcIssuers:0:JwksUri"] = Issuer.JwksUri,
                    ["Mandate:Identity:OidcIssuers:0:Audience"] = Audience,
                    ["Mandate:Identity:OidcIssuers:0:Algorithms:0"] = "RS256",
                    ["Mandate:Identity:OidcIssuers:0:JwksMinRefreshInterval"] = "00:00:30",
                    ["Mandate:Identity:OidcIssuers:0:Rules:0:Match:ref"] = "refs/heads/main",
                    ["Mandate:Identity:OidcIssuers:0:Rules:0:Match:workflow"] = "deploy",
                    ["Mandate:Identity:OidcIssuers:0:Rules:0:SpiffeId"] = "spiffe://demo.mandate.local/ci/github/{repository}",

                    // These tests attest far more often than a workload would; the limit has tests of its own.
                    ["Mandate:Identity:AttestationRateLimit:PermitLimit"] = "10000",
                });
            });
            await IdentityTestData.RegisterAsync(Server, Pipeline, "ci_pipeline");
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            await Issuer.DisposeAsync();
        }
    }

    private Task<HttpResponseMessage> AttestAsync(string token) =>
        server.Client.PostAsJsonAsync("/v1/attest/oidc", new { token }, TestContext.Current.CancellationToken);

    private async Task AssertRejectedAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("https://mandate.dev/problems/" + code, problem.GetProperty("type").GetString());
        var text = problem.GetRawText();
        Assert.DoesNotContain("\"n\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(issuer.JwksJson()[..40], text, StringComparison.Ordinal);

        // The refusal is in the audit log.
        var store = server.Services.GetRequiredService<IMandateStore>();
        await using var session = await store.BeginAsync(StoreIntent.Read, TestContext.Current.CancellationToken);
        var found = false;
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(0, TestContext.Current.CancellationToken))
        {
            found |= record.CanonicalJson.Contains("identity.request_rejected", StringComparison.Ordinal) && record.CanonicalJson.Contains(code, StringComparison.Ordinal);
        }

        Assert.True(found, $"no audit event for {code}");
    }

    [Fact]
    public async Task AttestedWorkload_ShouldGetAJwtSvidAndAnX509Svid_ThatValidateAgainstThePublishedBundle()
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await AttestAsync(issuer.Sign(issuer.GitHubClaims(clock.GetUtcNow(), Audience)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var svid = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal(Pipeline, svid.GetProperty("spiffe_id").GetString());
        var mandateSvid = svid.GetProperty("token").GetString()!;

        // The JWT-SVID validates against the bundle's jwt-svid keys with a plain JOSE library.
        var bundle = JsonDocument.Parse(await server.Client.GetStringAsync(new Uri("/.well-known/spiffe-bundle", UriKind.Relative), ct)).RootElement;
        var jwtKeys = bundle.GetProperty("keys").EnumerateArray().Where(k => k.GetProperty("use").GetString() == "jwt-svid").ToList();
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        var validation = await handler.ValidateTokenAsync(mandateSvid, new Microsoft.IdentityModel.Tokens.TokenValidationParameters
        {
            ValidIssuer = "spiffe://demo.mandate.local",
            ValidAudience = "spiffe://demo.mandate.local",
            IssuerSigningKeys = jwtKeys.Select(k => new Microsoft.IdentityModel.Tokens.JsonWebKey(k.GetRawText())),
            ValidAlgorithms = ["ES256"],
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);
        Assert.Equal(Pipeline, validation.Claims["sub"]);

        // With it, the workload gets an X.509-SVID that chains to the bundle's x509-svid authority.
        using var client = IdentityTestData.WorkloadClient(server, mandateSvid);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=ignored", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var x509 = await client.PostAsJsonAsync("/v1/svid/x509", new { csr }, ct);
        Assert.Equal(HttpStatusCode.OK, x509.StatusCode);
        var issued = await x509.Content.ReadFromJsonAsync<JsonElement>(ct);
        using var leaf = X509Certificate2.CreateFromPem(issued.GetProperty("certificate").GetString()!);
        var root = bundle.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("use").GetString() == "x509-svid");
        using var ca = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(root.GetProperty("x5c")[0].GetString()!));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = clock.GetUtcNow().UtcDateTime;
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(Pipeline, Assert.Single(X509SvidAssertions.UriSans(leaf)));
        Assert.True(bundle.GetProperty("spiffe_sequence").GetInt64() >= 2);
        Assert.Equal(300, bundle.GetProperty("spiffe_refresh_hint").GetInt64());
    }

    [Fact]
    public async Task Attest_ShouldRefuseAnAlgorithmThatIsNotPinned()
    {
        var response = await AttestAsync(issuer.Sign(issuer.GitHubClaims(clock.GetUtcNow(), Audience), alg: "RS384"));
        await AssertRejectedAsync(response, HttpStatusCode.Unauthorized, "token-algorithm-refused");
    }

    [Fact]
    public async Task Attest_ShouldRefuseAlgNone()
    {
        var claims = issuer.GitHubClaims(clock.GetUtcNow(), Audience);
        await AssertRejectedAsync(await AttestAsync(TestOidcIssuer.Unsigned(claims)), HttpStatusCode.Unauthorized, "token-malformed");
        await AssertRejectedAsync(await AttestAsync(TestOidcIssuer.Unsigned(claims) + "AAAA"), HttpStatusCode.Unauthorized, "token-algorithm-refused");
    }

    [Fact]
    public async Task Attest_ShouldRefuseHmacSignedWithThePublicKey()
    {
        var response = await AttestAsync(issuer.SignHmacWithPublicKey(issuer.GitHubClaims(clock.GetUtcNow(), Audience)));
        await AssertRejectedAsync(response, HttpStatusCode.Unauthorized, "token-algorithm-refused");
    }

    [Fact]
    public async Task Attest_ShouldRefuseAnExpiredToken()
    {
        var claims = issuer.GitHubClaims(clock.GetUtcNow().AddMinutes(-10), Audience);
        await AssertRejectedAsync(await AttestAsync(issuer.Sign(claims)), HttpStatusCode.Unauthorized, "token-expired");
    }

    [Fact]
    public async Task Attest_ShouldRefuseATokenIssuedInTheFuture()
    {
        var claims = issuer.GitHubClaims(clock.GetUtcNow().AddMinutes(2), Audience);
        await AssertRejectedAsync(await AttestAsync(issuer.Sign(claims)), HttpStatusCode.Unauthorized, "token-not-yet-valid");
    }

    [Fact]
    public async Task Attest_ShouldRefuseTheWrongAudience()
    {
        var claims = issuer.GitHubClaims(clock.GetUtcNow(), "someone-else");
        await AssertRejectedAsync(await AttestAsync(issuer.Sign(claims)), HttpStatusCode.Unauthorized, "token-audience-mismatch");
    }

    [Fact]
    public async Task Attest_ShouldRefuseATamperedSignature()
    {
        var token = issuer.Sign(issuer.GitHubClaims(clock.GetUtcNow(), Audience));
        var parts = token.Split('.');
        var forged = parts[0] + "." + TestOidcIssuer.B64(JsonSerializer.SerializeToUtf8Bytes(issuer.GitHubClaims(clock.GetUtcNow(), Audience, "evil/repo"))) + "." + parts[2];
        await AssertRejectedAsync(await AttestAsync(forged), HttpStatusCode.Unauthorized, "token-signature-invalid");
    }

    [Fact]
    public async Task Attest_ShouldRefuseAnUntrustedIssuer()
    {
        var claims = issuer.GitHubClaims(clock.GetUtcNow(), Audience);
        claims["iss"] = "https://evil.example";
        await AssertRejectedAsync(await AttestAsync(issuer.Sign(claims)), HttpStatusCode.Unauthorized, "attestation-issuer-untrusted");
    }

    [Fact]
    public async Task Attest_ShouldRefuseAValidTokenThatNoRuleMaps()
    {
        var claims = issuer.GitHubClaims(clock.GetUtcNow(), Audience, reference: "refs/heads/feature");
        await AssertRejectedAsync(await AttestAsync(issuer.Sign(claims)), HttpStatusCode.Forbidden, "attestation-no-rule-matched");
    }

    [Fact]
    public async Task Attest_ShouldRefuseAMappedIdentityThatIsNotRegistered()
    {
        var claims = issuer.GitHubClaims(clock.GetUtcNow(), Audience, repository: "acme/unregistered");
        await AssertRejectedAsync(await AttestAsync(issuer.Sign(claims)), HttpStatusCode.NotFound, "identity-unknown");
    }

    [Fact]
    public async Task Attest_ShouldRefuseTokensOver16KiB_AndMalformedTokens()
    {
        var claims = issuer.GitHubClaims(clock.GetUtcNow(), Audience);
        claims["padding"] = new string('x', 17 * 1024);
        await AssertRejectedAsync(await AttestAsync(issuer.Sign(claims)), HttpStatusCode.Unauthorized, "token-too-large");
        await AssertRejectedAsync(await AttestAsync("not-a-jwt"), HttpStatusCode.Unauthorized, "token-malformed");
        await AssertRejectedAsync(await AttestAsync("e30.e30.e30"), HttpStatusCode.Unauthorized, "token-malformed");
    }

    [Fact]
    public async Task Attest_ShouldRefuseAGenuinelySignedTokenWhoseClaimsAreNotUtf8()
    {
        // Signed by the trusted issuer, so only the content can stop it; before the UTF-8 check the mapper met the bad
        // byte while reading 'repository' and the anonymous endpoint answered 500.
        var claims = System.Text.Encoding.UTF8.GetString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(issuer.GitHubClaims(clock.GetUtcNow(), Audience)));
        var at = claims.IndexOf("acme/deploy", StringComparison.Ordinal);
        byte[] payload = [.. System.Text.Encoding.UTF8.GetBytes(claims[..at]), 0xC3, 0x28, .. System.Text.Encoding.UTF8.GetBytes(claims[at..])];
        var input = TestOidcIssuer.B64("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"typ\":\"JWT\"}"u8.ToArray()) + "." + TestOidcIssuer.B64(payload);
        var signature = issuer.Rsa.SignData(System.Text.Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        await AssertRejectedAsync(await AttestAsync(input + "." + TestOidcIssuer.B64(signature)), HttpStatusCode.Unauthorized, "token-malformed");
    }

    [Fact]
    public async Task Attest_ShouldFetchANewKeyOnUnknownKid_ButRateLimitRefetches()
    {
        var ok = await AttestAsync(issuer.Sign(issuer.GitHubClaims(clock.GetUtcNow(), Audience)));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var fetchesAfterFirst = issuer.JwksFetches;

        // Forged kids inside the refresh interval cause no further fetches.
        var claims = issuer.GitHubClaims(clock.GetUtcNow(), Audience);
        for (var i = 0; i < 5; i++)
        {
            var forged = issuer.Sign(claims, extraHeader: new Dictionary<string, object> { ["kid"] = "forged-" + i });
            await AssertRejectedAsync(await AttestAsync(forged), HttpStatusCode.Unauthorized, "token-unknown-key");
        }

        Assert.True(issuer.JwksFetches <= fetchesAfterFirst + 1, $"fetched {issuer.JwksFetches - fetchesAfterFirst} times");

        // The issuer rotates: after the refresh interval, a token with the new kid is accepted after one refetch.
        var newKid = issuer.AddRsaKey("rsa-2");
        clock.Advance(TimeSpan.FromSeconds(31));
        var rotated = await AttestAsync(issuer.Sign(issuer.GitHubClaims(clock.GetUtcNow(), Audience), kid: newKid));
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
    }

    [Fact]
    public async Task JoinToken_ShouldBeSingleUse_AndBoundToItsSpiffeId()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = server.CreateAdminClient();
        var created = await admin.PostAsJsonAsync("/v1/attest/join-tokens", new { spiffe_id = Pipeline, ttl_seconds = 120 }, ct);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("token").GetString();

        var first = await server.Client.PostAsJsonAsync("/v1/attest/join", new { token }, ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(Pipeline, (await first.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("spiffe_id").GetString());

        var second = await server.Client.PostAsJsonAsync("/v1/attest/join", new { token }, ct);
        await AssertRejectedAsync(second, HttpStatusCode.Unauthorized, "join-token-invalid");
    }

    [Fact]
    public async Task JoinToken_ForASuspendedIdentity_ShouldBeRefusedWithoutBeingSpent()
    {
        var ct = TestContext.Current.CancellationToken;
        var host = "spiffe://demo.mandate.local/host/suspended-" + Guid.NewGuid().ToString("N")[..8];
        await IdentityTestData.RegisterAsync(server, host);
        using var admin = server.CreateAdminClient();
        var created = await admin.PostAsJsonAsync("/v1/attest/join-tokens", new { spiffe_id = host, ttl_seconds = 120 }, ct);
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("token").GetString();
        var inventory = server.Services.GetRequiredService<Mandate.Core.Identity.Inventory.IdentityInventory>();

        Assert.Null((await inventory.ChangeStatusAsync(host, Mandate.Core.Identity.Inventory.IdentityStatus.Suspended, "drill", "test", null, ct)).Error);
        await AssertRejectedAsync(await server.Client.PostAsJsonAsync("/v1/attest/join", new { token }, ct), HttpStatusCode.Forbidden, "identity-inactive");

        Assert.Null((await inventory.ChangeStatusAsync(host, Mandate.Core.Identity.Inventory.IdentityStatus.Active, "drill over", "test", null, ct)).Error);
        var redeemed = await server.Client.PostAsJsonAsync("/v1/attest/join", new { token }, ct);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        await AssertRejectedAsync(await server.Client.PostAsJsonAsync("/v1/attest/join", new { token }, ct), HttpStatusCode.Unauthorized, "join-token-invalid");
    }

    [Fact]
    public async Task JoinToken_ShouldExpire()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = server.CreateAdminClient();
        var created = await admin.PostAsJsonAsync("/v1/attest/join-tokens", new { spiffe_id = Pipeline, ttl_seconds = 60 }, ct);
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("token").GetString();
        clock.Advance(TimeSpan.FromSeconds(61));
        await AssertRejectedAsync(await server.Client.PostAsJsonAsync("/v1/attest/join", new { token }, ct), HttpStatusCode.Unauthorized, "join-token-invalid");
    }

    [Fact]
    public async Task JoinToken_ShouldNeedTheAdminToken_AndARegisteredIdentity()
    {
        var ct = TestContext.Current.CancellationToken;
        var anonymous = await server.Client.PostAsJsonAsync("/v1/attest/join-tokens", new { spiffe_id = Pipeline }, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var admin = server.CreateAdminClient();
        var unknown = await admin.PostAsJsonAsync("/v1/attest/join-tokens", new { spiffe_id = "spiffe://demo.mandate.local/nobody" }, ct);
        await AssertRejectedAsync(unknown, HttpStatusCode.NotFound, "identity-unknown");
    }
}
