using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Core.Credentials;
using Mandate.Core.Delegation;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using NSec.Cryptography;

namespace Mandate.Server.Tests.Identity;

/// <summary>
/// A trust domain configured for EdDSA (Ed25519, RFC 8037): OKP keys in the JWKS and the SPIFFE bundle, task credentials
/// signed with them through the whole delegation flow; JWT-SVIDs signed with the ring's separate ES256 key (EdDSA is not a
/// JWT-SVID algorithm) that a relying party verifies from the published key alone, and an EdDSA-signed SVID refused even
/// with a genuine ring key; rotation of both keys with overlap, restart.
/// </summary>
public sealed class EdDsaSigningTests : IAsyncLifetime
{
    private const string Workload = "spiffe://demo.mandate.local/test/eddsa";
    private readonly ManualClock clock = new(new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private MandateTestServer server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        server = await StartAsync();
        await IdentityTestData.RegisterAsync(server, Workload);
    }

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    private Task<MandateTestServer> StartAsync(string? state = null) =>
        KeyRingTestServer.StartAsync(clock, KeyRingTestServer.FastRotation("EdDSA"), state);

    private async Task<List<JsonElement>> JwksKeysAsync() =>
        [.. (await server.Client.GetFromJsonAsync<JsonElement>("/.well-known/jwks.json", Ct)).GetProperty("keys").EnumerateArray()];

    private async Task<List<JsonElement>> BundleJwtKeysAsync() =>
        [.. (await server.Client.GetFromJsonAsync<JsonElement>("/.well-known/spiffe-bundle", Ct)).GetProperty("keys").EnumerateArray()
            .Where(k => k.GetProperty("use").GetString() == "jwt-svid")];

    /// <summary>
    /// What an independent relying party does with nothing but the published keys: pick the key by kid, require the
    /// key type of the token's alg (OKP/Ed25519 for EdDSA, EC P-256 for ES256), and verify the signature with libsodium
    /// or the platform's ECDSA directly (no Mandate code involved).
    /// </summary>
    private static bool VerifiesWith(string token, IEnumerable<JsonElement> publishedKeys)
    {
        var parts = token.Split('.');
        var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(parts[0])).RootElement;
        var kid = header.GetProperty("kid").GetString();
        var jwk = publishedKeys.FirstOrDefault(k => k.GetProperty("kid").GetString() == kid);
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var input = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        switch (header.GetProperty("alg").GetString())
        {
            case "EdDSA" when jwk.GetProperty("kty").GetString() == "OKP" && jwk.GetProperty("crv").GetString() == "Ed25519":
                var publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, Base64UrlEncoder.DecodeBytes(jwk.GetProperty("x").GetString()), KeyBlobFormat.RawPublicKey);
                return SignatureAlgorithm.Ed25519.Verify(publicKey, input, signature);
            case "ES256" when jwk.GetProperty("kty").GetString() == "EC" && jwk.GetProperty("crv").GetString() == "P-256":
                using (var ecdsa = System.Security.Cryptography.ECDsa.Create(new System.Security.Cryptography.ECParameters
                {
                    Curve = System.Security.Cryptography.ECCurve.NamedCurves.nistP256,
                    Q = new System.Security.Cryptography.ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.GetProperty("x").GetString()), Y = Base64UrlEncoder.DecodeBytes(jwk.GetProperty("y").GetString()) },
                }))
                {
                    return ecdsa.VerifyData(input, signature, System.Security.Cryptography.HashAlgorithmName.SHA256);
                }

            default:
                return false;
        }
    }

    private static JsonElement Header(string token) =>
        JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.Split('.')[0])).RootElement;

    private static List<JsonElement> OfType(IEnumerable<JsonElement> keys, string kty) => [.. keys.Where(k => k.GetProperty("kty").GetString() == kty)];

    [Fact]
    public async Task Jwks_ShouldPublishTheEd25519Key_AndTheEs256JwtSvidKey_WithoutPrivateMaterial_NamedByThumbprints()
    {
        var published = await JwksKeysAsync();
        Assert.Equal(2, published.Count);
        var key = Assert.Single(OfType(published, "OKP"));
        Assert.Equal("Ed25519", key.GetProperty("crv").GetString());
        Assert.Equal("EdDSA", key.GetProperty("alg").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        var x = key.GetProperty("x").GetString()!;
        Assert.Equal(32, Base64UrlEncoder.DecodeBytes(x).Length);
        Assert.All(published, k => Assert.False(k.TryGetProperty("d", out _), "the JWKS must not carry a private key"));

        // RFC 7638 over the required OKP members, as RFC 8037 section 2 defines them.
        var thumbprint = Base64UrlEncoder.Encode(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($$"""{"crv":"Ed25519","kty":"OKP","x":"{{x}}"}""")));
        Assert.Equal(thumbprint, key.GetProperty("kid").GetString());

        // The JWT-SVID key: EdDSA is not a JWT-SVID algorithm, so the ring keeps an ES256 key for SVIDs.
        var svidKey = Assert.Single(OfType(published, "EC"));
        Assert.Equal(("P-256", "ES256"), (svidKey.GetProperty("crv").GetString(), svidKey.GetProperty("alg").GetString()));

        var ring = server.Services.GetRequiredService<KeyRing>();
        Assert.Equal(thumbprint, ring.CurrentSigningKey().Kid);
        Assert.Equal("EdDSA", ring.CurrentSigningCredentials().Algorithm);
        Assert.Equal((svidKey.GetProperty("kid").GetString(), "ES256"), (ring.CurrentSigningKey(KeyPurposes.JwtSvid).Kid, ring.CurrentSigningKey(KeyPurposes.JwtSvid).Algorithm));
        var inProcess = Assert.Single(ring.PublicJwks().Keys, k => k.Kty == "OKP");
        Assert.Equal(("Ed25519", x), (inProcess.Crv, inProcess.X));
        Assert.Null(inProcess.D);

        var bundle = await BundleJwtKeysAsync();
        Assert.Equal(2, bundle.Count);
        var bundleKey = Assert.Single(OfType(bundle, "OKP"));
        Assert.Equal((x, thumbprint), (bundleKey.GetProperty("x").GetString(), bundleKey.GetProperty("kid").GetString()));
        Assert.Equal(svidKey.GetProperty("kid").GetString(), Assert.Single(OfType(bundle, "EC")).GetProperty("kid").GetString());
    }

    [Fact]
    public async Task JwtSvid_FromAnEdDsaRing_ShouldBeSignedWithEs256_AndVerifyFromTheJwksAndTheBundle_AndWithOurValidator()
    {
        using var client = IdentityTestData.WorkloadClient(server, IdentityTestData.MandateSvid(server, Workload));
        var response = await client.PostAsJsonAsync("/v1/svid/jwt", new { audience = "rp" }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token").GetString()!;
        Assert.Equal("ES256", Header(token).GetProperty("alg").GetString());
        Assert.Equal(64, Base64UrlEncoder.DecodeBytes(token.Split('.')[2]).Length);

        Assert.True(VerifiesWith(token, await JwksKeysAsync()));
        Assert.True(VerifiesWith(token, await BundleJwtKeysAsync()));
        var validator = server.Services.GetRequiredService<JwtSvidValidator>();
        var ours = validator.Validate(token, "rp");
        Assert.True(ours.IsValid, ours.Error?.Message);
        Assert.Equal(Workload, ours.Svid!.Subject.Value);
        using var validated = await client.PostAsJsonAsync("/v1/svid/validate", new { token, audience = "rp" }, Ct);
        Assert.Equal(HttpStatusCode.OK, validated.StatusCode);

        // The key stays pinned to ES256: the same signature under another alg is refused before any signature work,
        // and one changed claim breaks the signature.
        var parts = token.Split('.');
        var kid = Header(token).GetProperty("kid").GetString();
        foreach (var alg in new[] { "EdDSA", "RS256", "HS256", "ES384" })
        {
            var relabelled = Base64UrlEncoder.Encode($$"""{"alg":"{{alg}}","kid":"{{kid}}","typ":"JWT"}""") + "." + parts[1] + "." + parts[2];
            Assert.Equal(IdentityErrorCodes.TokenAlgorithmRefused, validator.Validate(relabelled, "rp").Error!.Code);
        }

        var claims = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace(Workload, Workload + "x", StringComparison.Ordinal);
        var forged = parts[0] + "." + Base64UrlEncoder.Encode(claims) + "." + parts[2];
        Assert.Equal(IdentityErrorCodes.TokenSignatureInvalid, validator.Validate(forged, "rp").Error!.Code);
        Assert.False(VerifiesWith(forged, await JwksKeysAsync()));
    }

    [Fact]
    public async Task EdDsaSignedJwtSvid_WithAGenuineRingKey_ShouldBeRefusedEverywhere()
    {
        // A JWT-SVID signed with the ring's own (published, valid) EdDSA key, as an insider with the key could make
        // it: the signature verifies, but EdDSA is not a JWT-SVID algorithm, so no validator of Mandate accepts it.
        var ring = server.Services.GetRequiredService<KeyRing>();
        var key = ring.CurrentSigningKey();
        Assert.Equal("EdDSA", key.Algorithm);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        string Sign(string audience)
        {
            var input = Base64UrlEncoder.Encode($$"""{"alg":"EdDSA","kid":"{{key.Kid}}","typ":"JWT"}""") + "." +
                Base64UrlEncoder.Encode($$"""{"sub":"{{Workload}}","aud":"{{audience}}","iss":"{{ring.Issuer}}","iat":{{now}},"nbf":{{now}},"exp":{{now + 300}},"jti":"forged-eddsa-{{audience.Length}}"}""");
            return input + "." + Base64UrlEncoder.Encode(key.Sign(Encoding.ASCII.GetBytes(input)));
        }

        var forged = Sign("rp");
        Assert.True(VerifiesWith(forged, await JwksKeysAsync()), "the signature itself is genuine");
        Assert.Equal(IdentityErrorCodes.TokenAlgorithmRefused, server.Services.GetRequiredService<JwtSvidValidator>().Validate(forged, "rp").Error!.Code);

        // As a workload's credential at Mandate: 401 token-algorithm-refused.
        using var client = IdentityTestData.WorkloadClient(server, Sign(ring.Issuer));
        using var refused = await client.PostAsJsonAsync("/v1/svid/jwt", new { audience = "rp" }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(IdentityErrorCodes.TokenAlgorithmRefused, (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());

        // Through the token validator (actor tokens, client assertions, the decision point's credentials).
        var general = await server.Services.GetRequiredService<TokenValidator>().ValidateAsync(Sign(ring.Issuer), [ring.Issuer], 5);
        Assert.False(general.IsValid);
        Assert.Equal(TokenValidationFailure.BadSignature, general.Failure);
    }

    [Fact]
    public async Task Rotation_ShouldRotateTheEd25519KeyAndTheJwtSvidKeyTogether_KeepingRetiredKeysUntilTheirTokensExpired()
    {
        var ring = server.Services.GetRequiredService<KeyRing>();
        var issuer = server.Services.GetRequiredService<JwtSvidIssuer>();
        var validator = server.Services.GetRequiredService<JwtSvidValidator>();
        var subject = SpiffeId.Parse(Workload);
        var start = clock.GetUtcNow();
        var firstRing = ring.CurrentSigningKey().Kid;
        var first = ring.CurrentSigningKey(KeyPurposes.JwtSvid).Kid;

        clock.Set(start.AddMinutes(59).AddSeconds(1));
        Assert.True(await ring.RotateIfDueAsync(Ct));
        var published = await JwksKeysAsync();
        Assert.Equal(4, published.Count);
        Assert.All(OfType(published, "OKP"), k => Assert.Equal("EdDSA", k.GetProperty("alg").GetString()));
        Assert.Equal(2, OfType(published, "EC").Count);
        var before = issuer.Issue(subject, ["rp"], TimeSpan.FromMinutes(10));
        Assert.Equal(first, before.Kid);

        clock.Set(start.AddHours(1).AddSeconds(2));
        var after = issuer.Issue(subject, ["rp"], TimeSpan.FromMinutes(10));
        Assert.NotEqual(first, after.Kid);
        Assert.NotEqual(firstRing, ring.CurrentSigningKey().Kid);
        Assert.Equal("ES256", ring.CurrentSigningKey(KeyPurposes.JwtSvid).Algorithm);
        foreach (var token in new[] { before.Token, after.Token })
        {
            Assert.Equal("ES256", Header(token).GetProperty("alg").GetString());
            Assert.True(validator.Validate(token, "rp").IsValid);
            Assert.True(VerifiesWith(token, await BundleJwtKeysAsync()));
        }

        clock.Set(before.ExpiresAt.AddSeconds(-1));
        Assert.Contains(first, (await JwksKeysAsync()).Select(k => k.GetProperty("kid").GetString()));

        clock.Set(start.AddHours(1).AddMinutes(30).AddSeconds(31));
        Assert.Equal([after.Kid], OfType(await JwksKeysAsync(), "EC").Select(k => k.GetProperty("kid").GetString()));
        Assert.Equal([ring.CurrentSigningKey().Kid], OfType(await JwksKeysAsync(), "OKP").Select(k => k.GetProperty("kid").GetString()));
        Assert.Equal(IdentityErrorCodes.TokenUnknownKey, validator.Validate(before.Token, "rp").Error!.Code);
        Assert.False(VerifiesWith(before.Token, await JwksKeysAsync()));
    }

    [Fact]
    public async Task Restart_ShouldDecryptTheStoredEd25519AndJwtSvidKeys_AndKeepValidatingTheirTokens()
    {
        var token = IdentityTestData.MandateSvid(server, Workload);
        var ring = server.Services.GetRequiredService<KeyRing>();
        var (kid, svidKid) = (ring.CurrentSigningKey().Kid, ring.CurrentSigningKey(KeyPurposes.JwtSvid).Kid);
        var state = server.Options.StateDirectory;
        await server.DisposeAsync();
        server = await StartAsync(state);

        ring = server.Services.GetRequiredService<KeyRing>();
        Assert.Equal((kid, "EdDSA"), (ring.CurrentSigningKey().Kid, ring.CurrentSigningKey().Algorithm));
        Assert.Equal((svidKid, "ES256"), (ring.CurrentSigningKey(KeyPurposes.JwtSvid).Kid, ring.CurrentSigningKey(KeyPurposes.JwtSvid).Algorithm));
        var validator = server.Services.GetRequiredService<JwtSvidValidator>();
        Assert.True(validator.Validate(token, ring.Issuer).IsValid);
        Assert.True(validator.Validate(IdentityTestData.MandateSvid(server, Workload), ring.Issuer).IsValid);
    }

    [Fact]
    public async Task TaskCredentials_ShouldBeSignedWithEdDsa_AndVerifyThroughExchangeIntrospectionAndCompletion()
    {
        // Task credentials are signed by Microsoft.IdentityModel through the key ring's signing credentials, and
        // validated by it on exchange and introspection: the Ed25519 crypto provider has to carry both.
        await using var estate = await TaskEstate.StartAsync(configureBuilder: b => b.Configuration.AddInMemoryCollection(KeyRingTestServer.FastRotation("EdDSA")));
        var (taskId, taskToken, _) = await estate.OpenAsync();
        Assert.Equal("EdDSA", Header(taskToken).GetProperty("alg").GetString());
        Assert.True((await estate.IntrospectAsync(taskToken)).GetProperty("active").GetBoolean());

        using var exchange = await estate.ExchangeAsync(taskToken, TaskEstate.SubAgent, scope: "read");
        var body = await exchange.Content.ReadAsStringAsync(Ct);
        Assert.True(exchange.StatusCode == HttpStatusCode.OK, body);
        var delegated = JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
        Assert.Equal("EdDSA", Header(delegated).GetProperty("alg").GetString());

        var verifier = estate.Server.Services.GetRequiredService<ICredentialVerifier>();
        var verified = await verifier.VerifyAsync(delegated, Ct);
        Assert.True(verified.Valid, verified.Description);
        Assert.Equal([TaskEstate.SubAgent], verified.Credential!.Chain);

        var parts = delegated.Split('.');
        var widened = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"read\"", "\"read write\"", StringComparison.Ordinal);
        Assert.False((await verifier.VerifyAsync(parts[0] + "." + Base64UrlEncoder.Encode(widened) + "." + parts[2], Ct)).Valid);

        using var agent = estate.As(TaskEstate.Agent);
        using var complete = await agent.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct);
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        Assert.False((await estate.IntrospectAsync(delegated)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task TrustedIssuer_ShouldBeAcceptedWithAnOkpKey_OnlyWhenEdDsaIsPinned()
    {
        // An external issuer that signs its tokens with Ed25519 and publishes an OKP JWKS.
        var external = Ed25519SecurityKey.Generate();
        external.KeyId = "idp-ed";
        var jwks = $$"""{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"idp-ed","use":"sig","alg":"EdDSA","x":"{{Base64UrlEncoder.Encode(external.RawPublicKey)}}"}]}""";
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            $$"""{"iss":"https://idp.example.com","sub":"user@example.com","aud":"{{IdentityTestData.TrustDomain}}","iat":{{now}},"exp":{{now + 300}}}""",
            new SigningCredentials(external, "EdDSA"));

        async Task<Mandate.Core.Credentials.TokenValidationResult> ValidateAsync(params string[] pinned)
        {
            await using var host = await MandateTestServer.StartAsync(configureBuilder: b =>
            {
                b.Services.AddSingleton<TimeProvider>(clock);
                b.Services.PostConfigure<TokenExchangeOptions>(o =>
                {
                    var trusted = new TrustedIssuerOptions { Issuer = "https://idp.example.com", Jwks = jwks };
                    trusted.Algorithms.Clear();
                    foreach (var algorithm in pinned)
                    {
                        trusted.Algorithms.Add(algorithm);
                    }

                    o.TrustedIssuers.Add(trusted);
                });
            });
            return await host.Services.GetRequiredService<TokenValidator>().ValidateAsync(token, null, 5);
        }

        var accepted = await ValidateAsync("EdDSA");
        Assert.True(accepted.IsValid, accepted.Description);
        Assert.Equal("user@example.com", accepted.Token!.Subject);
        Assert.Equal(TokenValidationFailure.BadSignature, (await ValidateAsync("ES256", "RS256")).Failure);
    }
}
