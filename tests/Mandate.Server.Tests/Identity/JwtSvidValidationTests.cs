using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

/// <summary>Every way a JWT-SVID can be bad, through the library validator and the validation endpoint.</summary>
public sealed class JwtSvidValidationTests(JwtSvidValidationTests.Fixture fixture) : IClassFixture<JwtSvidValidationTests.Fixture>
{
    private const string Caller = "spiffe://demo.mandate.local/test/relying-party";
    private const string Subject = "spiffe://demo.mandate.local/test/subject";

    public sealed class Fixture : IAsyncLifetime
    {
        internal MandateTestServer Server { get; private set; } = null!;

        public HttpClient Client { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Server = await MandateTestServer.StartAsync();
            await IdentityTestData.RegisterAsync(Server, Caller);
            await IdentityTestData.RegisterAsync(Server, Subject);
            Client = IdentityTestData.WorkloadClient(Server, IdentityTestData.MandateSvid(Server, Caller, TimeSpan.FromMinutes(30)));
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Server.DisposeAsync();
        }
    }

    private JwtSvidValidator Validator => fixture.Server.Services.GetRequiredService<JwtSvidValidator>();

    private string Valid(string audience = Caller, string subject = Subject) =>
        fixture.Server.Services.GetRequiredService<JwtSvidIssuer>().Issue(SpiffeId.Parse(subject), [audience], TimeSpan.FromMinutes(5)).Token;

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A token with our current kid and the given header/claims, properly signed with our key unless told otherwise.</summary>
    private string Craft(Action<Dictionary<string, object>> header, Action<Dictionary<string, object>> claims, bool sign = true)
    {
        var ring = fixture.Server.Services.GetRequiredService<KeyRing>();
        var key = ring.CurrentSigningKey();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var h = new Dictionary<string, object> { ["alg"] = "ES256", ["kid"] = key.Kid, ["typ"] = "JWT" };
        var c = new Dictionary<string, object> { ["sub"] = Subject, ["aud"] = Caller, ["iss"] = ring.Issuer, ["iat"] = now, ["exp"] = now + 300 };
        header(h);
        claims(c);
        var input = B64(JsonSerializer.SerializeToUtf8Bytes(h)) + "." + B64(JsonSerializer.SerializeToUtf8Bytes(c));
        var ecdsa = (ECDsa)key.SigningCredentials.Key.GetType().GetProperty("ECDsa")!.GetValue(key.SigningCredentials.Key)!;
        var signature = sign ? ecdsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256) : new byte[64];
        return input + "." + B64(signature);
    }

    public static TheoryData<string, string> BadTokens() => new()
    {
        { "garbage", IdentityErrorCodes.TokenMalformed },
        { "two-parts", IdentityErrorCodes.TokenMalformed },
        { "too-large", IdentityErrorCodes.TokenTooLarge },
        { "alg-none", IdentityErrorCodes.TokenAlgorithmRefused },
        { "alg-hs256", IdentityErrorCodes.TokenAlgorithmRefused },
        { "alg-other-asymmetric", IdentityErrorCodes.TokenAlgorithmRefused },
        { "no-kid", IdentityErrorCodes.TokenMalformed },
        { "unknown-kid", IdentityErrorCodes.TokenUnknownKey },
        { "bad-typ", IdentityErrorCodes.TokenMalformed },
        { "bad-signature", IdentityErrorCodes.TokenSignatureInvalid },
        { "expired", IdentityErrorCodes.TokenExpired },
        { "not-yet-valid", IdentityErrorCodes.TokenNotYetValid },
        { "wrong-audience", IdentityErrorCodes.TokenAudienceMismatch },
        { "no-audience", IdentityErrorCodes.TokenAudienceMismatch },
        { "wrong-issuer", IdentityErrorCodes.TokenIssuerMismatch },
        { "foreign-trust-domain", IdentityErrorCodes.TokenSubjectInvalid },
        { "subject-not-spiffe", IdentityErrorCodes.TokenSubjectInvalid },
        { "no-exp", IdentityErrorCodes.TokenMalformed },
        { "unregistered-subject", IdentityErrorCodes.IdentityUnknown },
    };

    private string Make(string kind) => kind switch
    {
        "garbage" => "definitely not a token",
        "two-parts" => "eyJhbGciOiJFUzI1NiJ9.e30",
        "too-large" => Craft(_ => { }, c => c["padding"] = new string('x', 17 * 1024)),
        "alg-none" => Craft(h => h["alg"] = "none", _ => { }),
        "alg-hs256" => Craft(h => h["alg"] = "HS256", _ => { }),
        "alg-other-asymmetric" => Craft(h => h["alg"] = "RS256", _ => { }),
        "no-kid" => Craft(h => h.Remove("kid"), _ => { }),
        "unknown-kid" => Craft(h => h["kid"] = "no-such-key", _ => { }),
        "bad-typ" => Craft(h => h["typ"] = "at+jwt", _ => { }),
        "bad-signature" => Craft(_ => { }, _ => { }, sign: false),
        "expired" => Craft(_ => { }, c => c["exp"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds()),
        "not-yet-valid" => Craft(_ => { }, c => c["nbf"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()),
        "wrong-audience" => Valid(audience: "spiffe://demo.mandate.local/someone-else"),
        "no-audience" => Craft(_ => { }, c => c.Remove("aud")),
        "wrong-issuer" => Craft(_ => { }, c => c["iss"] = "https://elsewhere.example"),
        "foreign-trust-domain" => Craft(_ => { }, c => c["sub"] = "spiffe://other.example/test/subject"),
        "subject-not-spiffe" => Craft(_ => { }, c => c["sub"] = "https://demo.mandate.local/x"),
        "no-exp" => Craft(_ => { }, c => c.Remove("exp")),
        "unregistered-subject" => Valid(subject: "spiffe://demo.mandate.local/test/never-registered"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Fact]
    public void Validator_ShouldAcceptAGoodToken()
    {
        var result = Validator.Validate(Valid(), Caller);
        Assert.True(result.IsValid, result.Error?.Message);
        Assert.Equal(Subject, result.Svid!.Subject.Value);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public void Validator_ShouldRefuse(string kind, string code)
    {
        var result = Validator.Validate(Make(kind), Caller);
        Assert.False(result.IsValid);
        Assert.Equal(code, result.Error!.Code);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task ValidateEndpoint_ShouldAnswerProblemDetails_NeverA500(string kind, string code)
    {
        var response = await fixture.Client.PostAsJsonAsync("/v1/svid/validate", new { token = Make(kind) }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("https://mandate.dev/problems/" + code, problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task ValidateEndpoint_ShouldReturnTheSvidFacts_ForAGoodToken()
    {
        var response = await fixture.Client.PostAsJsonAsync("/v1/svid/validate", new { token = Valid() }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(Subject, body.GetProperty("spiffe_id").GetString());
        Assert.True(body.GetProperty("valid").GetBoolean());
    }

    [Theory]
    [InlineData("suspend", nameof(IdentityStatus.Suspended))]
    [InlineData("revoke", nameof(IdentityStatus.Revoked))]
    public async Task Validator_ShouldRefuseTokensOfAnIdentity_OnceItIsSuspendedOrRevoked(string action, string statusName)
    {
        // IdentityStatus is internal to Core, so a public theory names it rather than taking it.
        var status = Enum.Parse<IdentityStatus>(statusName);
        var id = $"spiffe://demo.mandate.local/test/{action}-me";
        await IdentityTestData.RegisterAsync(fixture.Server, id);
        var token = Valid(subject: id);
        Assert.True(Validator.Validate(token, Caller).IsValid);

        using var admin = fixture.Server.CreateAdminClient();
        var changed = await admin.PostAsJsonAsync("/v1/identities/" + action, new { spiffe_id = id, reason = "test" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(IdentityStatuses.Name(status), (await changed.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("status").GetString());

        var result = Validator.Validate(token, Caller);
        Assert.Equal(IdentityErrorCodes.IdentityInactive, result.Error!.Code);

        // And it can no longer authenticate to Mandate or obtain SVIDs.
        using var client = IdentityTestData.WorkloadClient(fixture.Server, IdentityTestData.MandateSvid(fixture.Server, id));
        var svid = await client.PostAsJsonAsync("/v1/svid/jwt", new { audience = "x" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, svid.StatusCode);
    }

    [Fact]
    public async Task SvidJwt_ShouldRequireAnAudience_AndCapTheTtl()
    {
        var ct = TestContext.Current.CancellationToken;
        var noAudience = await fixture.Client.PostAsJsonAsync("/v1/svid/jwt", new { ttl_seconds = 60 }, ct);
        Assert.Equal(HttpStatusCode.BadRequest, noAudience.StatusCode);
        Assert.Equal("https://mandate.dev/problems/svid-audience-required", (await noAudience.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("type").GetString());

        var tooLong = await fixture.Client.PostAsJsonAsync("/v1/svid/jwt", new { audience = "x", ttl_seconds = 2 * 3600 }, ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal("https://mandate.dev/problems/svid-ttl-exceeded", (await tooLong.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("type").GetString());

        var ok = await fixture.Client.PostAsJsonAsync("/v1/svid/jwt", new { audience = "x", ttl_seconds = 3600 }, ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
