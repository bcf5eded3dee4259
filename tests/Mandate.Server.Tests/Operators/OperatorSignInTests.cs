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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task IdTokenPresentedAgain_ShouldOpenNoSecondSession_AndBeAudited(bool withJti)
    {
        var claims = Claims("carol@example.org");
        if (!withJti)
        {
            claims.Remove("jti");
        }

        var token = issuer.Sign(claims);
        using var first = await SignInAsync(token);
        Assert.True(first.StatusCode == HttpStatusCode.OK, await first.Content.ReadAsStringAsync(Ct));
        var session = (await first.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token_id").GetString();

        // The same bytes again, well within the token's exp and the maximum age.
        fixture.Clock.Advance(TimeSpan.FromSeconds(30));
        try
        {
            using var again = await SignInAsync(token);
            await OperatorTestData.AssertProblemAsync(again, HttpStatusCode.Unauthorized, "operator-sign-in-refused");
            var detail = (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!;
            Assert.Contains("used to sign in already", detail, StringComparison.Ordinal);
            Assert.DoesNotContain(token, detail, StringComparison.Ordinal);
        }
        finally
        {
            fixture.Clock.Advance(-TimeSpan.FromSeconds(30));
        }

        // Exactly one session came of it, and the refusal is in the ledger.
        var sessions = await OperatorTestData.EventsAsync(server, "operator.signed_in");
        Assert.Contains(sessions, e => e.GetProperty("jti").GetString() == session);
        if (withJti)
        {
            Assert.Single(sessions, e => e.GetProperty("details").TryGetProperty("id_token_jti", out var j) && j.GetString() == (string)claims["jti"]);
        }

        List<JsonElement> refusals = [];
        for (var attempt = 0; attempt < 50 && refusals.Count == 0; attempt++)
        {
            refusals = (await OperatorTestData.EventsAsync(server, "operator.authentication_failed"))
                .Where(e => e.GetProperty("reason").GetString()!.Contains("used to sign in already", StringComparison.Ordinal)).ToList();
            if (refusals.Count == 0)
            {
                await Task.Delay(50, Ct);
            }
        }

        Assert.NotEmpty(refusals);

        // A fresh token from the provider still signs in.
        using var fresh = await SignInAsync(issuer.Sign(Claims("carol@example.org")));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task IdTokenPresentedAgain_ShouldBeRefusedOnAnotherNode_SharingThePostgresStore()
    {
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        void Configure(Microsoft.AspNetCore.Builder.WebApplicationBuilder b) => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mandate:Operators:Oidc:Issuer"] = issuer.Issuer,
            ["Mandate:Operators:Oidc:Audience"] = Audience,
            ["Mandate:Operators:Oidc:Algorithms:0"] = "RS256",
            ["Mandate:Operators:Oidc:Claim"] = "email",
        });
        await using var first = await MandateTestServer.StartAsync(o => o.Store = MandateTestServer.PostgresLocation(connection), Configure);
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
            Configure);
        using (var admin = first.CreateAdminClient())
        {
            var created = await admin.PostAsJsonAsync("/v1/operators", new { name = "frank", roles = new[] { "auditor" }, oidc_subject = "frank@example.org" }, Ct);
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Ct));
        }

        var now = DateTimeOffset.UtcNow;
        var token = issuer.Sign(new Dictionary<string, object>
        {
            ["iss"] = issuer.Issuer,
            ["aud"] = Audience,
            ["sub"] = "user-frank",
            ["email"] = "frank@example.org",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        });
        using var signedIn = await first.Client.PostAsJsonAsync("/v1/operators/sign-in", new { id_token = token }, Ct);
        Assert.True(signedIn.StatusCode == HttpStatusCode.OK, await signedIn.Content.ReadAsStringAsync(Ct));
        await OperatorTestData.AssertProblemAsync(
            await second.Client.PostAsJsonAsync("/v1/operators/sign-in", new { id_token = token }, Ct), HttpStatusCode.Unauthorized, "operator-sign-in-refused");
        Assert.Single(await OperatorTestData.EventsAsync(second, "operator.signed_in"));
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
