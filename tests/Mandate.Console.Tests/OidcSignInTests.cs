using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Console.Tests.Infrastructure;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Mandate.Console.Tests;

/// <summary>
/// Signing in to the console through an OIDC provider (a fake one on loopback, another site than the server): the
/// authorization code flow with PKCE in Chromium, and over HTTP every way the callback must refuse (wrong state, a
/// replayed code, a forged or misdirected ID token, an unknown or disabled operator), each audited.
/// </summary>
public sealed class OidcSignInTests(Chromium chromium, OidcSignInTests.Fixture fixture) : IClassFixture<OidcSignInTests.Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ConsoleTestServer Server => fixture.Server;

    private FakeOidcProvider Provider => fixture.Provider;

    public sealed class Fixture : IAsyncLifetime
    {
        private string? secretFile;

        internal FakeOidcProvider Provider { get; private set; } = null!;

        internal ConsoleTestServer Server { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Provider = await FakeOidcProvider.StartAsync();
            secretFile = Path.GetTempFileName();
            await File.WriteAllTextAsync(secretFile, Provider.ClientSecret + "\n");
            Server = await ConsoleTestServer.StartAsync(b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Mandate:Operators:Oidc:Issuer"] = Provider.Issuer,
                ["Mandate:Operators:Oidc:Audience"] = Provider.ClientId,
                ["Mandate:Operators:Oidc:Claim"] = "email",
                ["Mandate:Operators:Oidc:Algorithms:0"] = "RS256",
                ["Mandate:Operators:Oidc:DisplayName"] = "Fake IdP",
                ["Mandate:Operators:Oidc:ClientSecretFile"] = secretFile,
            }));
            using var admin = Server.CreateAdminClient();
            foreach (var (name, email) in new[] { ("alice", "alice@example.org"), ("bob", "bob@example.org"), ("carol", "carol@example.org") })
            {
                using var added = await admin.PostAsJsonAsync("/v1/operators", new { name, roles = new[] { "auditor" }, oidc_subject = email });
                Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
            }

            using var disabled = await admin.PostAsync(new Uri("/v1/operators/bob/disable", UriKind.Relative), null);
            Assert.True(disabled.IsSuccessStatusCode, await disabled.Content.ReadAsStringAsync());
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            await Provider.DisposeAsync();
            File.Delete(secretFile!);
        }
    }

    [Fact]
    public async Task SignInWithTheProvider_InChromium_ShouldOpenTheOverviewAsTheOperator()
    {
        Provider.Issue = null;
        Provider.NextSubject = "alice@example.org";
        await using var browser = await ConsoleBrowser.OpenAsync(chromium, Server);
        browser.Allow(new Uri(Provider.Issuer));
        var page = browser.Page;
        await page.GotoAsync("/console");

        // A link (GET), not a form: the CSP's form-action 'self' would block a form's redirect to the provider.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Fake IdP" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("header.bar")).ToContainTextAsync("operator:alice");

        var sent = Provider.LastAuthorization;
        Assert.Equal("S256", sent["code_challenge_method"]);
        Assert.Equal(43, sent["code_challenge"].Length);
        Assert.True(sent["state"].Length >= 43 && sent["nonce"].Length >= 43 && sent["state"] != sent["nonce"]);
        Assert.Equal(new Uri(Server.Address, "/console/oidc/callback").ToString(), sent["redirect_uri"]);

        var cookies = await browser.Context.CookiesAsync([Server.Address + "console/oidc/callback"]);
        var session = Assert.Single(cookies, c => c.Name == "mandate_console");
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.True(session.HttpOnly);
        Assert.DoesNotContain(cookies, c => c.Name == "mandate_console_oidc");

        // Signing out ends it like any console session.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Fake IdP" })).ToBeVisibleAsync();
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task SignIn_OverHttp_ShouldOpenASession_ThatEndsWhenTheOperatorIsDisabled_AndAReplayedCodeIsRefused()
    {
        Provider.Issue = null;
        Provider.NextSubject = "carol@example.org";
        var flow = await Flow.RunAsync(Server);
        Assert.Equal(HttpStatusCode.OK, flow.Callback.StatusCode);
        Assert.Contains("url=/console", await flow.Callback.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("Signed in as <strong>operator:carol</strong>", await flow.Client.GetStringAsync(new Uri("/console", UriKind.Relative), Ct), StringComparison.Ordinal);

        // The same callback again, with the same attempt cookie (captured by an attacker, or a double submit): the
        // provider hands the same ID token out again, and Mandate redeems an ID token once.
        var replay = new CookieContainer();
        replay.Add(flow.AttemptCookie);
        using (var client = Flow.NewClient(Server, replay))
        using (var replayed = await client.GetAsync(flow.CallbackUri, Ct))
        {
            AssertRefused(replayed, replay);
        }

        // The ticket names the OIDC session's token: disabling the operator ends the console session on the next page.
        using var admin = Server.CreateAdminClient();
        using (var disabled = await admin.PostAsync(new Uri("/v1/operators/carol/disable", UriKind.Relative), null, Ct))
        {
            Assert.True(disabled.IsSuccessStatusCode);
        }

        try
        {
            var after = await flow.Client.GetStringAsync(new Uri("/console", UriKind.Relative), Ct);
            Assert.Contains("Sign in with Fake IdP", after, StringComparison.Ordinal);
            Assert.DoesNotContain("Signed in as", after, StringComparison.Ordinal);
        }
        finally
        {
            using var enabled = await admin.PostAsync(new Uri("/v1/operators/carol/enable", UriKind.Relative), null, Ct);
        }

        Assert.Contains(await FailuresAsync(), r => r.Contains("already", StringComparison.OrdinalIgnoreCase) || r.Contains("redeemed", StringComparison.OrdinalIgnoreCase) || r.Contains("used", StringComparison.OrdinalIgnoreCase));
    }

    public static TheoryData<string> ForgedTokens => ["wrong nonce", "no nonce", "wrong audience", "alg none", "HS256 with the public key", "wrong issuer", "unknown operator", "disabled operator"];

    [Theory]
    [MemberData(nameof(ForgedTokens))]
    public async Task Callback_WithAnIdTokenItMustNotAccept_ShouldBeRefusedAndAudited(string how)
    {
        Provider.NextSubject = how switch
        {
            "unknown operator" => "mallory@example.org",
            "disabled operator" => "bob@example.org",
            _ => "alice@example.org",
        };
        Provider.Issue = how switch
        {
            "wrong nonce" => c => { c["nonce"] = "not-the-nonce-this-sign-in-sent"; return Provider.Sign(c); },
            "no nonce" => c => { c.Remove("nonce"); return Provider.Sign(c); },
            "wrong audience" => c => { c["aud"] = "another-client"; return Provider.Sign(c); },
            "alg none" => FakeOidcProvider.Unsigned,
            "HS256 with the public key" => Provider.SignHmac,
            "wrong issuer" => c => { c["iss"] = "http://evil.example"; return Provider.Sign(c); },
            _ => null,
        };
        var reason = how switch
        {
            "wrong nonce" or "no nonce" => "nonce is not the one this sign-in sent",
            "wrong audience" => "audience does not include",
            "alg none" => "not a compact JWS",
            "HS256 with the public key" => "algorithm is not pinned",
            "wrong issuer" => "issuer is not the configured OIDC provider",
            _ => "No enabled operator signs in as this 'email'",
        };
        try
        {
            var flow = await Flow.RunAsync(Server);
            AssertRefused(flow.Callback, flow.Jar);

            // Identical refusals from one network are folded into one record per window; the reason is there.
            Assert.Contains(await FailuresAsync(), r => r.StartsWith("oidc console sign-in: ", StringComparison.Ordinal) && r.Contains(reason, StringComparison.Ordinal));
        }
        finally
        {
            Provider.Issue = null;
        }
    }

    [Fact]
    public async Task Callback_WithAWrongState_OrWithoutTheAttemptCookie_OrAProviderError_ShouldBeRefused()
    {
        Provider.Issue = null;
        Provider.NextSubject = "alice@example.org";
        var wrongState = await Flow.RunAsync(Server, uri => new Uri(uri.ToString().Replace("state=", "state=x", StringComparison.Ordinal)));
        AssertRefused(wrongState.Callback, wrongState.Jar);

        // A callback this browser did not start (login CSRF): no attempt cookie.
        var other = await Flow.RunAsync(Server, stripCookie: true);
        AssertRefused(other.Callback, other.Jar);

        using (var client = Flow.NewClient(Server, new CookieContainer()))
        using (var denied = await client.GetAsync(new Uri("/console/oidc/callback?error=access_denied&error_description=%3Cscript%3E", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            Assert.Equal("/console?oidc=denied", denied.Headers.Location!.OriginalString);
        }

        // The page shows a fixed message, never what came in the query.
        using var page = Flow.NewClient(Server, new CookieContainer());
        var html = await page.GetStringAsync(new Uri("/console?oidc=%3Cb%3Einjected", UriKind.Relative), Ct);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("role=\"alert\"", html, StringComparison.Ordinal);
        Assert.Contains("was not accepted", await page.GetStringAsync(new Uri("/console?oidc=refused", UriKind.Relative), Ct), StringComparison.Ordinal);

        var reasons = await FailuresAsync();
        Assert.Contains(reasons, r => r.Contains("state does not match", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("no valid sign-in attempt cookie", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("error access_denied", StringComparison.Ordinal));
        Assert.DoesNotContain(reasons, r => r.Contains("<script>", StringComparison.Ordinal) || r.Contains(Provider.ClientSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefusedOidcSignIns_ShouldUseUpTheSameFailureLimit_AsRefusedTokens()
    {
        Provider.Issue = null;
        Provider.NextSubject = "mallory@example.org";
        await using var server = await ConsoleTestServer.StartAsync(b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mandate:Operators:Oidc:Issuer"] = Provider.Issuer,
            ["Mandate:Operators:Oidc:Audience"] = Provider.ClientId,
            ["Mandate:Operators:Oidc:Claim"] = "email",
            ["Mandate:Operators:Oidc:ClientSecret"] = Provider.ClientSecret,
            ["Mandate:RateLimits:AuthenticationFailures:PermitLimit"] = "2",
            ["Mandate:RateLimits:AuthenticationFailures:Window"] = "00:10:00",
        }));
        for (var i = 0; i < 2; i++)
        {
            var refused = await Flow.RunAsync(server);
            AssertRefused(refused.Callback, refused.Jar, server);
        }

        // The network has used up the window: the next OIDC attempt is not even started, and a typed token is refused too.
        using var client = Flow.NewClient(server, new CookieContainer());
        using (var start = await client.GetAsync(new Uri("/console/oidc/start", UriKind.Relative), Ct))
        {
            Assert.Equal("/console?oidc=limited", start.Headers.Location!.OriginalString);
        }

        Assert.Contains("Too many failed sign-ins", await client.GetStringAsync(new Uri("/console?oidc=limited", UriKind.Relative), Ct), StringComparison.Ordinal);
        using var typed = await SignInTests.SignInOverHttpAsync(client, server.AdminToken);
        Assert.Equal(HttpStatusCode.TooManyRequests, typed.StatusCode);
    }

    private void AssertRefused(HttpResponseMessage callback, CookieContainer jar, ConsoleTestServer? server = null)
    {
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/console?oidc=refused", callback.Headers.Location!.OriginalString);
        Assert.DoesNotContain(jar.GetCookies(new Uri((server ?? Server).Address, "/console")), c => c.Name == "mandate_console");
    }

    /// <summary>The reasons of the ledger's <c>operator.authentication_failed</c> events.</summary>
    private async Task<List<string>> FailuresAsync()
    {
        var reasons = new List<string>();
        await using var session = await Server.Services.GetRequiredService<IMandateStore>().BeginAsync(StoreIntent.Read, Ct);
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(0, Ct))
        {
            using var document = JsonDocument.Parse(record.CanonicalJson);
            if (document.RootElement.GetProperty("type").GetString() == "operator.authentication_failed"
                && document.RootElement.TryGetProperty("reason", out var reason))
            {
                reasons.Add(reason.GetString()!);
            }
        }

        return reasons;
    }

    /// <summary>One sign-in as a browser makes it, hop by hop: start, the provider's authorization endpoint, the callback.</summary>
    private sealed record Flow(HttpClient Client, CookieContainer Jar, System.Net.Cookie AttemptCookie, Uri CallbackUri, HttpResponseMessage Callback)
    {
        public static HttpClient NewClient(ConsoleTestServer server, CookieContainer jar) =>
            new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = jar, UseCookies = true }) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };

        public static async Task<Flow> RunAsync(ConsoleTestServer server, Func<Uri, Uri>? tamper = null, bool stripCookie = false)
        {
            var jar = new CookieContainer();
            var client = NewClient(server, jar);
            using var start = await client.GetAsync(new Uri("/console/oidc/start", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
            var attempt = jar.GetCookies(new Uri(server.Address, "/console/oidc/callback")).Single(c => c.Name == "mandate_console_oidc");
            Assert.True(attempt.HttpOnly);
            using var authorize = await client.GetAsync(start.Headers.Location, Ct);
            Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
            var callback = tamper is null ? authorize.Headers.Location! : tamper(authorize.Headers.Location!);
            if (stripCookie)
            {
                attempt.Expired = true;
            }

            return new Flow(client, jar, new System.Net.Cookie(attempt.Name, attempt.Value, attempt.Path, attempt.Domain), callback, await client.GetAsync(callback, Ct));
        }
    }
}
