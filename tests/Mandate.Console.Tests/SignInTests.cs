using System.Net;
using System.Text.RegularExpressions;
using Mandate.Console.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Mandate.Console.Tests;

/// <summary>Signing in and out of the console in Chromium, and what the server does with the cookie and the forms.</summary>
public sealed partial class SignInTests(Chromium chromium, DemoServer demo) : IClassFixture<DemoServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BadToken_ShouldShowAnError_AndGoodAdminToken_ShouldOpenTheOverview_AndSignOutShouldEndIt()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(chromium, demo.Server);
        var page = browser.Page;
        await page.GotoAsync("/console");
        Assert.Equal("password", await page.Locator("input[name=token]").GetAttributeAsync("type"));

        await page.GetByLabel("Token").FillAsync("not-a-token-at-all");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not accepted");
        Assert.Empty(await browser.Context.CookiesAsync([demo.Server.Address.ToString() + "console"]) is var jar ? jar.Where(c => c.Name == "mandate_console") : []);

        await browser.SignInAsync(demo.Server.AdminToken);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("header.bar")).ToContainTextAsync("Signed in as admin");

        var cookie = (await browser.Context.CookiesAsync([demo.Server.Address + "console"])).Single(c => c.Name == "mandate_console");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/console", cookie.Path);
        Assert.DoesNotContain(demo.Server.AdminToken, cookie.Value, StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Token")).ToBeVisibleAsync();
        await page.GotoAsync("/console/identities");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console$"));
        await Assertions.Expect(page.GetByLabel("Token")).ToBeVisibleAsync();

        // The refused sign-in answers 401, which Chromium reports in the console; nothing else may.
        Assert.All(browser.Errors, e => Assert.Contains("status of 401", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OperatorToken_ShouldSignIn_AndARevokedTokenShouldEndTheSessionAtOnce()
    {
        var token = await demo.Server.CreateOperatorTokenAsync("console-reader", "auditor");
        await using var browser = await ConsoleBrowser.OpenAsync(chromium, demo.Server);
        await browser.SignInAsync(token);
        await Assertions.Expect(browser.Page.Locator("header.bar")).ToContainTextAsync("operator:console-reader");
        await Assertions.Expect(browser.Page.Locator("header.bar")).ToContainTextAsync("auditor");

        // The ticket names the token; revoking the token over the API ends the console session on the next request.
        using var admin = demo.Server.CreateAdminClient();
        var tokens = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/operators/console-reader/tokens", UriKind.Relative), Ct)).RootElement;
        var id = tokens.GetProperty("tokens")[0].GetProperty("id").GetString();
        using (var revoked = await admin.PostAsync(new Uri($"/v1/operators/console-reader/tokens/{id}/revoke", UriKind.Relative), System.Net.Http.Json.JsonContent.Create(new { reason = "test" }), Ct))
        {
            Assert.True(revoked.IsSuccessStatusCode, await revoked.Content.ReadAsStringAsync(Ct));
        }

        await browser.Page.GotoAsync("/console/identities");
        await Assertions.Expect(browser.Page.GetByLabel("Token")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignInPost_WithoutTheAntiforgeryToken_ShouldBeRefused()
    {
        using var client = demo.Server.CreateClient(followRedirects: false);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "sign-in", ["token"] = demo.Server.AdminToken });
        using var response = await client.PostAsync(new Uri("/console", UriKind.Relative), form, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("mandate_console=", StringComparison.Ordinal)));

        // Signed in, a sign-out posted without the form's token (a cross-site request) is refused and changes nothing.
        using (var signedIn = await SignInOverHttpAsync(client, demo.Server.AdminToken))
        {
            Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        }

        using var signOut = await client.PostAsync(new Uri("/console/sign-out", UriKind.Relative), new FormUrlEncodedContent([]), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, signOut.StatusCode);
        Assert.Contains("Signed in as", await client.GetStringAsync(new Uri("/console", UriKind.Relative), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedSignIns_ShouldCountAgainstTheAuthenticationFailureLimit()
    {
        await using var server = await ConsoleTestServer.StartAsync(b => b.Configuration["Mandate:RateLimits:AuthenticationFailures:PermitLimit"] = "3");
        using var client = server.CreateClient(followRedirects: false);
        for (var i = 0; i < 3; i++)
        {
            using var refused = await SignInOverHttpAsync(client, "wrong-token-" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("not accepted", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // The window is used up: even the right token is not checked now, in the console as on the API.
        using var limited = await SignInOverHttpAsync(client, server.AdminToken);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("Too many failed sign-ins", await limited.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var api = server.CreateAdminClient();
        using var apiRefused = await api.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, apiRefused.StatusCode);
    }

    /// <summary>A sign-in as a browser posts it: the form's antiforgery token and cookie first.</summary>
    internal static async Task<HttpResponseMessage> SignInOverHttpAsync(HttpClient client, string token)
    {
        var html = await client.GetStringAsync(new Uri("/console", UriKind.Relative), Ct);
        var antiforgery = AntiforgeryField().Match(html).Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(antiforgery),
            ["token"] = token,
        });
        return await client.PostAsync(new Uri("/console", UriKind.Relative), form, Ct);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    internal static partial Regex AntiforgeryField();
}
