using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Tests.Identity;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Tests.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Operators;

/// <summary>
/// OIDC sign-in for operators against a local issuer over loopback HTTP (the attestation tests' issuer), its keys
/// found through discovery: a verified ID token naming an enabled operator gets a short-lived session token; anything
/// else is refused with a problem and audited like any refused credential.
/// </summary>
public sealed class OperatorSignInTests(OperatorSignInTests.Fixture fixture) : IClassFixture<OperatorSignInTests.Fixture>
{
    private const string Audience = "mandate-console";

    private MandateTestServer server => fixture.Server;

    private TestOidcIssuer issuer => fixture.Issuer;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
                    ["Mandate:Operators:Oidc:Issuer"] = Issuer.Issuer,
                    ["Mandate:Operators:Oidc:Audience"] = Audience,
                    ["Mandate:Operators:Oidc:Algorithms:0"] = "RS256",
                    ["Mandate:Operators:Oidc:Claim"] = "email",
                    ["Mandate:Operators:SessionLifetime"] = "00:15:00",
                    ["Mandate:Identity:AttestationRateLimit:PermitLimit"] = "10000",
                });
            });
            using var admin = Server.CreateAdminClient();
            foreach (var (name, email, roles) in new[] { ("carol", "carol@example.org", "auditor"), ("dave", "dave@example.org", "security") })
            {
                var response = await admin.PostAsJsonAsync("/v1/operators", new { name, roles = new[] { roles }, oidc_subject = email });
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            await Issuer.DisposeAsync();
        }
    }

    private Dictionary<string, object> Claims(string email, string? audience = null)
    {
        var now = fixture.Clock.GetUtcNow();
        return new()
        {
            ["iss"] = issuer.Issuer,
            ["aud"] = audience ?? Audience,
            ["sub"] = "user-" + email,
            ["email"] = email,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
    }

    private Task<HttpResponseMessage> SignInAsync(string idToken) =>
        server.Client.PostAsJsonAsync("/v1/operators/sign-in", new { id_token = idToken }, Ct);

    [Fact]
    public async Task VerifiedIdToken_ShouldGiveAShortLivedSessionToken_ActingAsTheOperator()
    {
        using var response = await SignInAsync(issuer.Sign(Claims("carol@example.org")));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.GetRawText());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("carol", body.GetProperty("operator").GetString());
        Assert.Equal("session", body.GetProperty("kind").GetString());
        Assert.Equal(["auditor"], body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var expires = body.GetProperty("expires_at").GetDateTimeOffset();
        Assert.InRange(expires - fixture.Clock.GetUtcNow(), TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));

        var session = body.GetProperty("token").GetString()!;
        using var carol = OperatorTestData.Client(server, session);
        Assert.Equal(HttpStatusCode.OK, (await carol.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct)).StatusCode);
        await OperatorTestData.AssertProblemAsync(await carol.PostAsJsonAsync("/v1/revocations", new { target_kind = "credential", target = "x" }, Ct), HttpStatusCode.Forbidden, "forbidden");

        var signedIn = Assert.Single(await OperatorTestData.EventsAsync(server, "operator.signed_in"), e => e.GetProperty("jti").GetString() == body.GetProperty("token_id").GetString());
        Assert.Equal("operator:carol", signedIn.GetProperty("actor").GetString());
        Assert.Equal(issuer.Issuer, signedIn.GetProperty("details").GetProperty("issuer").GetString());
        Assert.DoesNotContain(session, string.Join('\n', await OperatorTestData.LedgerAsync(server)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionToken_ShouldExpire()
    {
        using var response = await SignInAsync(issuer.Sign(Claims("dave@example.org")));
        var session = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token").GetString()!;
        using var dave = OperatorTestData.Client(server, session);
        Assert.Equal(HttpStatusCode.OK, (await dave.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct)).StatusCode);
        fixture.Clock.Advance(TimeSpan.FromMinutes(16));
        try
        {
            await OperatorTestData.AssertProblemAsync(await dave.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct), HttpStatusCode.Unauthorized, "unauthenticated");
        }
        finally
        {
            fixture.Clock.Advance(-TimeSpan.FromMinutes(16));
        }
    }

    public static TheoryData<string> Forgeries() => ["audience", "hmac", "unsigned", "unknown-operator", "expired", "other-issuer", "garbage"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task UnverifiableOrUnmappedIdToken_ShouldBeRefused_AndAudited(string forgery)
    {
        var claims = Claims("carol@example.org");
        var token = forgery switch
        {
            "audience" => issuer.Sign(Claims("carol@example.org", "someone-else")),
            "hmac" => issuer.SignHmacWithPublicKey(claims),
            "unsigned" => TestOidcIssuer.Unsigned(claims),
            "unknown-operator" => issuer.Sign(Claims("mallory@example.org")),
            "expired" => issuer.Sign(new Dictionary<string, object>(claims) { ["iat"] = fixture.Clock.GetUtcNow().AddHours(-2).ToUnixTimeSeconds(), ["exp"] = fixture.Clock.GetUtcNow().AddHours(-1).ToUnixTimeSeconds() }),
            "other-issuer" => issuer.Sign(new Dictionary<string, object>(claims) { ["iss"] = "https://evil.example" }),
            _ => "not-a-jwt",
        };
        using var response = await SignInAsync(token);
        await OperatorTestData.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "operator-sign-in-refused");
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!;
        Assert.DoesNotContain(token, detail, StringComparison.Ordinal);

        List<JsonElement> failures = [];
        for (var attempt = 0; attempt < 50 && failures.Count == 0; attempt++)
        {
            await Task.Delay(50, Ct);
            failures = (await OperatorTestData.EventsAsync(server, "operator.authentication_failed"))
                .Where(e => e.GetProperty("reason").GetString()!.StartsWith("oidc sign-in:", StringComparison.Ordinal)).ToList();
        }

        Assert.NotEmpty(failures);
    }

    [Fact]
    public async Task DisabledOperator_ShouldNotSignIn()
    {
        using var admin = server.CreateAdminClient();
        Assert.True((await admin.PostAsJsonAsync("/v1/operators", new { name = "erin", roles = new[] { "auditor" }, oidc_subject = "erin@example.org" }, Ct)).IsSuccessStatusCode);
        Assert.True((await admin.PostAsync(new Uri("/v1/operators/erin/disable", UriKind.Relative), null, Ct)).IsSuccessStatusCode);
        await OperatorTestData.AssertProblemAsync(await SignInAsync(issuer.Sign(Claims("erin@example.org"))), HttpStatusCode.Unauthorized, "operator-sign-in-refused");
    }
}
