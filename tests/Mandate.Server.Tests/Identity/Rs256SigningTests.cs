using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Server.Tests.Identity;

/// <summary>
/// A trust domain configured for RS256: its JWT-SVIDs validate with Mandate's validator and, through the published
/// JWKS and SPIFFE bundle, with Microsoft.IdentityModel; rotation keeps the overlap for RSA keys as for EC keys.
/// </summary>
public sealed class Rs256SigningTests : IAsyncLifetime
{
    private const string Workload = "spiffe://demo.mandate.local/test/rs256";
    private const string TrustDomainIssuer = "spiffe://demo.mandate.local";
    private readonly ManualClock clock = new(new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private MandateTestServer server = null!;

    public async ValueTask InitializeAsync()
    {
        server = await StartAsync();
        await IdentityTestData.RegisterAsync(server, Workload);
    }

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    private Task<MandateTestServer> StartAsync(string algorithm = "RS256", string? state = null) =>
        KeyRingTestServer.StartAsync(clock, KeyRingTestServer.FastRotation(algorithm), state);

    private async Task<JsonWebKeySet> JwksAsync() =>
        new(await server.Client.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative), TestContext.Current.CancellationToken));

    /// <summary>The bundle's jwt-svid entries, as a relying party that only reads the SPIFFE bundle would load them.</summary>
    private async Task<List<JsonWebKey>> BundleJwtKeysAsync()
    {
        var bundle = await server.Client.GetFromJsonAsync<JsonElement>("/.well-known/spiffe-bundle", TestContext.Current.CancellationToken);
        return bundle.GetProperty("keys").EnumerateArray()
            .Where(k => k.GetProperty("use").GetString() == "jwt-svid")
            .Select(k => new JsonWebKey(k.GetRawText()))
            .ToList();
    }

    /// <summary>Validates like an independent relying party: pinned RS256, the published keys, the trust domain's issuer, the clock of the test.</summary>
    private async Task<Microsoft.IdentityModel.Tokens.TokenValidationResult> ValidateWithIdentityModelAsync(string token, IEnumerable<SecurityKey> keys, string audience = "rp")
    {
        var handler = new JsonWebTokenHandler { MapInboundClaims = false };
        return await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = TrustDomainIssuer,
            ValidAudience = audience,
            IssuerSigningKeys = keys,
            ValidAlgorithms = ["RS256"],
            LifetimeValidator = (notBefore, expires, _, _) =>
                (notBefore is null || notBefore.Value <= clock.GetUtcNow().UtcDateTime.AddSeconds(30))
                && expires is not null && clock.GetUtcNow().UtcDateTime < expires.Value.AddSeconds(30),
        });
    }

    private static JsonElement Header(string token) =>
        JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.Split('.')[0])).RootElement;

    [Fact]
    public async Task Jwks_ShouldPublishA3072BitRsaKey_ForRS256_WithoutPrivateMaterial()
    {
        var jwks = await server.Client.GetFromJsonAsync<JsonElement>("/.well-known/jwks.json", TestContext.Current.CancellationToken);
        var key = Assert.Single(jwks.GetProperty("keys").EnumerateArray());
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal("RS256", key.GetProperty("alg").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.Equal(3072 / 8, Base64UrlEncoder.DecodeBytes(key.GetProperty("n").GetString()!).Length);
        foreach (var secret in new[] { "d", "p", "q", "dp", "dq", "qi" })
        {
            Assert.False(key.TryGetProperty(secret, out _), $"the JWKS must not carry {secret}");
        }

        var ring = server.Services.GetRequiredService<KeyRing>();
        Assert.Equal(ring.CurrentSigningKey().Kid, key.GetProperty("kid").GetString());
        Assert.Equal("RS256", ring.CurrentSigningCredentials().Algorithm);

        // The kid is the RFC 7638 thumbprint of the published key.
        var published = new JsonWebKey(key.GetRawText());
        Assert.Equal(Base64UrlEncoder.Encode(published.ComputeJwkThumbprint()), published.Kid);

        // IKeyRing.PublicJwks() (used by in-process consumers) carries the same public key and nothing private.
        var jwk = Assert.Single(ring.PublicJwks().Keys);
        Assert.Equal(published.N, jwk.N);
        Assert.Null(jwk.D);
        Assert.Null(jwk.P);
    }

    [Fact]
    public async Task JwtSvid_ShouldBeSignedWithRS256_AndValidateWithOurValidator_TheJwks_AndTheBundle()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = IdentityTestData.WorkloadClient(server, IdentityTestData.MandateSvid(server, Workload));
        var response = await client.PostAsJsonAsync("/v1/svid/jwt", new { audience = "rp" }, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("token").GetString()!;

        var header = Header(token);
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.GetProperty("typ").GetString());

        var ours = server.Services.GetRequiredService<JwtSvidValidator>().Validate(token, "rp");
        Assert.True(ours.IsValid, ours.Error?.Message);
        Assert.Equal(Workload, ours.Svid!.Subject.Value);

        var viaJwks = await ValidateWithIdentityModelAsync(token, (await JwksAsync()).GetSigningKeys());
        Assert.True(viaJwks.IsValid, viaJwks.Exception?.Message);
        Assert.Equal(Workload, viaJwks.Claims["sub"]);

        var viaBundle = await ValidateWithIdentityModelAsync(token, await BundleJwtKeysAsync());
        Assert.True(viaBundle.IsValid, viaBundle.Exception?.Message);

        // The validation endpoint agrees, and the algorithm stays pinned: the same key refuses a PS256 header.
        var validated = await client.PostAsJsonAsync("/v1/svid/validate", new { token, audience = "rp" }, ct);
        Assert.Equal(HttpStatusCode.OK, validated.StatusCode);
        var parts = token.Split('.');
        var relabelled = Base64UrlEncoder.Encode("{\"alg\":\"PS256\",\"kid\":\"" + header.GetProperty("kid").GetString() + "\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2];
        Assert.Equal(IdentityErrorCodes.TokenAlgorithmRefused, server.Services.GetRequiredService<JwtSvidValidator>().Validate(relabelled, "rp").Error!.Code);
    }

    [Fact]
    public async Task SigningCredentials_ShouldSignTokens_ThatIdentityModelValidatesWithTheJwks()
    {
        // Task credentials are signed through IKeyRing.CurrentSigningCredentials() by Microsoft.IdentityModel.
        var ring = server.Services.GetRequiredService<IKeyRing>();
        var handler = new JsonWebTokenHandler();
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = ring.Issuer,
            Audience = "rp",
            Subject = new System.Security.Claims.ClaimsIdentity([new("sub", Workload)]),
            IssuedAt = clock.GetUtcNow().UtcDateTime,
            NotBefore = clock.GetUtcNow().UtcDateTime,
            Expires = clock.GetUtcNow().UtcDateTime.AddMinutes(5),
            SigningCredentials = ring.CurrentSigningCredentials(),
        });
        Assert.Equal("RS256", Header(token).GetProperty("alg").GetString());
        var result = await ValidateWithIdentityModelAsync(token, (await JwksAsync()).GetSigningKeys());
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Single(ring.ValidationKeys());
    }

    [Fact]
    public async Task Rotation_ShouldPrepublishTheRsaSuccessor_AndKeepTheRetiredRsaKeyUntilItsTokensExpired()
    {
        var ct = TestContext.Current.CancellationToken;
        var ring = server.Services.GetRequiredService<KeyRing>();
        var issuer = server.Services.GetRequiredService<JwtSvidIssuer>();
        var validator = server.Services.GetRequiredService<JwtSvidValidator>();
        var subject = SpiffeId.Parse(Workload);
        var start = clock.GetUtcNow();
        var first = ring.CurrentSigningKey().Kid;

        clock.Set(start.AddMinutes(59).AddSeconds(1));
        Assert.True(await ring.RotateIfDueAsync(ct));
        var jwks = await JwksAsync();
        Assert.Equal(2, jwks.Keys.Count);
        Assert.All(jwks.Keys, k => Assert.Equal(("RSA", "RS256"), (k.Kty, k.Alg)));
        var second = jwks.Keys.Single(k => k.Kid != first).Kid;
        var before = issuer.Issue(subject, ["rp"], TimeSpan.FromMinutes(10));
        Assert.Equal(first, before.Kid);

        // The successor signs from its activation; both generations validate, ours and Microsoft.IdentityModel's.
        clock.Set(start.AddHours(1).AddSeconds(2));
        var after = issuer.Issue(subject, ["rp"], TimeSpan.FromMinutes(10));
        Assert.Equal(second, after.Kid);
        Assert.Equal("RS256", Header(after.Token).GetProperty("alg").GetString());
        foreach (var token in new[] { before.Token, after.Token })
        {
            Assert.True(validator.Validate(token, "rp").IsValid);
            var result = await ValidateWithIdentityModelAsync(token, (await JwksAsync()).GetSigningKeys());
            Assert.True(result.IsValid, result.Exception?.Message);
        }

        // Until the old token's expiry the retired RSA key stays in the JWKS and in the bundle.
        clock.Set(before.ExpiresAt.AddSeconds(-1));
        Assert.Contains(first, (await JwksAsync()).Keys.Select(k => k.Kid));
        Assert.Contains(first, (await BundleJwtKeysAsync()).Select(k => k.Kid));
        Assert.True((await ValidateWithIdentityModelAsync(before.Token, await BundleJwtKeysAsync())).IsValid);

        // After the overlap only the successor is published and the old kid is unknown.
        clock.Set(start.AddHours(1).AddMinutes(30).AddSeconds(31));
        Assert.Equal([second], (await JwksAsync()).Keys.Select(k => k.Kid));
        Assert.Equal(IdentityErrorCodes.TokenUnknownKey, validator.Validate(before.Token, "rp").Error!.Code);
        Assert.False((await ValidateWithIdentityModelAsync(before.Token, (await JwksAsync()).GetSigningKeys())).IsValid);
    }

    [Fact]
    public async Task Restart_ShouldReloadTheRsaKeys_AndKeepValidatingTheirTokens()
    {
        var token = IdentityTestData.MandateSvid(server, Workload);
        var kid = server.Services.GetRequiredService<KeyRing>().CurrentSigningKey().Kid;
        var state = server.Options.StateDirectory;
        await server.DisposeAsync();
        server = await StartAsync(state: state);

        var ring = server.Services.GetRequiredService<KeyRing>();
        Assert.Equal(kid, ring.CurrentSigningKey().Kid);
        Assert.Equal("RS256", ring.CurrentSigningKey().Algorithm);
        Assert.True(server.Services.GetRequiredService<JwtSvidValidator>().Validate(token, ring.Issuer).IsValid);
        var fresh = IdentityTestData.MandateSvid(server, Workload);
        Assert.True(server.Services.GetRequiredService<JwtSvidValidator>().Validate(fresh, ring.Issuer).IsValid);
    }

    [Fact]
    public async Task SwitchingFromES256_ShouldRotateToAnRsaKey_WhileTheEcKeysTokensStayValid()
    {
        // A store whose keys were made for ES256, restarted with RS256: the EC key signs until its rotation, then an RSA
        // successor takes over and the EC key stays published for the overlap.
        var ct = TestContext.Current.CancellationToken;
        await server.DisposeAsync();
        var ecState = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(ecState);
        server = await StartAsync("ES256", ecState);
        await IdentityTestData.RegisterAsync(server, Workload);
        await server.DisposeAsync();

        server = await StartAsync("RS256", ecState);
        var ring = server.Services.GetRequiredService<KeyRing>();
        Assert.Equal("ES256", ring.CurrentSigningKey().Algorithm);
        clock.Advance(TimeSpan.FromMinutes(59.5));
        var ecToken = IdentityTestData.MandateSvid(server, Workload);
        Assert.Equal("ES256", Header(ecToken).GetProperty("alg").GetString());
        Assert.True(await ring.RotateIfDueAsync(ct));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("RS256", ring.CurrentSigningKey().Algorithm);
        var rsaToken = IdentityTestData.MandateSvid(server, Workload);
        Assert.Equal("RS256", Header(rsaToken).GetProperty("alg").GetString());

        var validator = server.Services.GetRequiredService<JwtSvidValidator>();
        Assert.True(validator.Validate(ecToken, ring.Issuer).IsValid);
        Assert.True(validator.Validate(rsaToken, ring.Issuer).IsValid);
        Assert.Equal(["EC", "RSA"], (await JwksAsync()).Keys.Select(k => k.Kty).Order());
    }
}
