using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

/// <summary>OIDC federation with a platform that signs with Ed25519: the issuer's OKP key is used only under a pinned EdDSA.</summary>
public sealed class EdDsaAttestationTests : IAsyncLifetime
{
    private const string Audience = "mandate-attestation";
    private const string Pipeline = "spiffe://demo.mandate.local/ci/github/acme/deploy";
    private readonly ManualClock clock = new(DateTimeOffset.UtcNow);
    private TestOidcIssuer issuer = null!;
    private MandateTestServer server = null!;
    private string edKid = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        issuer = await TestOidcIssuer.StartAsync();
        edKid = issuer.AddEd25519Key("ed-1");
        server = await MandateTestServer.StartAsync(configureBuilder: b =>
        {
            b.Services.AddSingleton<TimeProvider>(clock);
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                // The ring signs with EdDSA too: the JWT-SVID attestation yields must still be ES256.
                ["Mandate:Identity:SigningAlgorithm"] = "EdDSA",
                ["Mandate:Identity:OidcIssuers:0:Issuer"] = issuer.Issuer,
                ["Mandate:Identity:OidcIssuers:0:JwksUri"] = issuer.JwksUri,
                ["Mandate:Identity:OidcIssuers:0:Audience"] = Audience,
                ["Mandate:Identity:OidcIssuers:0:Algorithms:0"] = "EdDSA",
                ["Mandate:Identity:OidcIssuers:0:Rules:0:Match:ref"] = "refs/heads/main",
                ["Mandate:Identity:OidcIssuers:0:Rules:0:SpiffeId"] = "spiffe://demo.mandate.local/ci/github/{repository}",
            });
        });
        await IdentityTestData.RegisterAsync(server, Pipeline, "ci_pipeline");
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        await issuer.DisposeAsync();
    }

    private Task<HttpResponseMessage> AttestAsync(string token) =>
        server.Client.PostAsJsonAsync("/v1/attest/oidc", new { token }, Ct);

    private static async Task<string> ProblemCodeAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var type = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("type").GetString()!;
        return type["https://mandate.dev/problems/".Length..];
    }

    [Fact]
    public async Task EdDsaPlatformToken_ShouldAttest_AndYieldAJwtSvidForTheMappedId()
    {
        using var response = await AttestAsync(issuer.Sign(issuer.GitHubClaims(clock.GetUtcNow(), Audience), kid: edKid, alg: "EdDSA"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(Pipeline, body.GetProperty("spiffe_id").GetString());
        var token = body.GetProperty("token").GetString()!;
        var svid = server.Services.GetRequiredService<JwtSvidValidator>().Validate(token, "spiffe://demo.mandate.local");
        Assert.True(svid.IsValid, svid.Error?.Message);

        // An EdDSA ring, an EdDSA platform token, and still a JWT-SVID in an algorithm the JWT-SVID specification allows.
        var header = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(token.Split('.')[0])).RootElement;
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal("EdDSA", server.Services.GetRequiredService<Mandate.Core.Identity.Keys.KeyRing>().CurrentSigningKey().Algorithm);
    }

    [Fact]
    public async Task Attest_ShouldRefuseAnEdDsaTokenWithAChangedClaim()
    {
        var token = issuer.Sign(issuer.GitHubClaims(clock.GetUtcNow(), Audience), kid: edKid, alg: "EdDSA");
        var parts = token.Split('.');
        var claims = issuer.GitHubClaims(clock.GetUtcNow(), Audience, repository: "acme/other");
        var forged = parts[0] + "." + TestOidcIssuer.B64(JsonSerializer.SerializeToUtf8Bytes(claims)) + "." + parts[2];
        using var response = await AttestAsync(forged);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("token-signature-invalid", await ProblemCodeAsync(response));
    }

    [Fact]
    public async Task Attest_ShouldRefuseTheIssuersRsaKey_WhenOnlyEdDsaIsPinned()
    {
        // A genuine RS256 token from the same issuer: its algorithm is not pinned here.
        using var rs256 = await AttestAsync(issuer.Sign(issuer.GitHubClaims(clock.GetUtcNow(), Audience)));
        Assert.Equal(HttpStatusCode.Unauthorized, rs256.StatusCode);
        Assert.Equal("token-algorithm-refused", await ProblemCodeAsync(rs256));

        // An EdDSA header pointing at the RSA key: that key was never loaded, because RS256 is not pinned.
        using var relabelled = await AttestAsync(issuer.Sign(issuer.GitHubClaims(clock.GetUtcNow(), Audience), kid: "rsa-1", alg: "EdDSA"));
        Assert.Equal(HttpStatusCode.Unauthorized, relabelled.StatusCode);
        Assert.Equal("token-unknown-key", await ProblemCodeAsync(relabelled));
    }
}
