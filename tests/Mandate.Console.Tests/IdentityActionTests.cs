using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mandate.Console.Tests.Infrastructure;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Mandate.Console.Tests;

/// <summary>Status actions on the identity page: what they do to credentials, and who may take them.</summary>
public sealed class IdentityActionTests(Chromium chromium, DemoServer demo) : IClassFixture<DemoServer>
{
    private const string Assistant = "spiffe://demo.mandate.local/agent/support-assistant";
    private const string Pipeline = "spiffe://demo.mandate.local/ci/github/deploy-pipeline";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string IdentityPage(string id) => "/console/identity?id=" + Uri.EscapeDataString(id);

    [Fact]
    public async Task SuspendingFromTheIdentityPage_ShouldKillItsTaskCredentials_AndBeRecordedAsTheOperator()
    {
        await using var server = await ConsoleTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        var (_, credential) = await OpenTaskAsync(server);
        Assert.True(await DecideAsync(admin, credential));

        var token = await server.CreateOperatorTokenAsync("console-security", "security");
        await using var browser = await ConsoleBrowser.OpenAsync(chromium, server);
        await browser.SignInAsync(token);
        var page = browser.Page;
        // The task is on the Tasks page with its intent and its live credential, linking to the identity.
        await page.GetByRole(AriaRole.Link, new() { Name = "Tasks", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#tasks")).ToContainTextAsync("answer ticket T-1001");
        await Assertions.Expect(page.Locator("#tasks")).ToContainTextAsync("1 live of 1");

        // Its page: the intent, the TTL, the credential with its chain, and the decision taken with it.
        await page.Locator("#tasks tbody tr").First.GetByRole(AriaRole.Link).First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/tasks/[^/?]+$"));
        await Assertions.Expect(page.Locator("#task-intent")).ToHaveTextAsync("answer ticket T-1001");
        await Assertions.Expect(page.Locator("#task-status")).ToHaveTextAsync("open");
        await Assertions.Expect(page.Locator("#task-ttl")).ToContainTextAsync("10 min 0 s");
        await Assertions.Expect(page.Locator("#task-credentials tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#task-credentials")).ToContainTextAsync("live");
        await Assertions.Expect(page.Locator("#task-credentials")).ToContainTextAsync(Assistant);
        await Assertions.Expect(page.Locator("#task-decisions tbody tr").First).ToContainTextAsync("allow");
        await Assertions.Expect(page.Locator("#task-decisions")).ToContainTextAsync("Ticket::\"T-1001\"");
        var unknown = await page.Context.APIRequest.GetAsync("/console/tasks/no-such-task");
        Assert.Equal(404, unknown.Status);
        await page.GotoAsync("/console/tasks");
        await page.GetByRole(AriaRole.Link, new() { Name = Assistant }).ClickAsync();
        await Assertions.Expect(page.Locator("#credentials")).ToContainTextAsync("live");
        await Assertions.Expect(page.Locator("#tasks a[href^='/console/tasks/']")).ToHaveCountAsync(1);

        // The action asks for confirmation first; cancelling changes nothing.
        await page.GetByRole(AriaRole.Link, new() { Name = "Suspend…" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Suspend this identity?" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.Locator("#identity-status")).ToHaveTextAsync("active");
        Assert.True(await DecideAsync(admin, credential));

        await page.GetByRole(AriaRole.Link, new() { Name = "Suspend…" }).ClickAsync();
        await page.GetByLabel("Reason (recorded in the ledger)").FillAsync("console test: suspected compromise");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: suspend" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("done=suspended"));
        await Assertions.Expect(page.Locator("#identity-status")).ToHaveTextAsync("suspended");
        await Assertions.Expect(page.Locator("#credentials")).ToContainTextAsync("dead (identity suspended)");
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("operator:console-security");

        // The credential the task got before is refused now, over the API, as for a suspension through the API.
        Assert.False(await DecideAsync(admin, credential));
        var identity = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/identities/" + Assistant["spiffe://".Length..], UriKind.Relative), Ct)).RootElement;
        Assert.Equal("suspended", identity.GetProperty("status").GetString());

        // The refused decision is on the Decisions page, newest first, and the deny filter keeps only refusals.
        await page.GetByRole(AriaRole.Link, new() { Name = "Decisions", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#decisions tbody tr").First).ToContainTextAsync("deny");
        await Assertions.Expect(page.Locator("#decisions")).ToContainTextAsync(Assistant);
        await page.Locator("select[name=decision]").SelectOptionAsync("deny");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("decision=deny"));
        Assert.All(await page.Locator("#decisions tbody tr td:nth-child(3)").AllInnerTextsAsync(), d => Assert.Equal("deny", d));
        // The overview's chart counts it among this minute's denials.
        await page.GetByRole(AriaRole.Link, new() { Name = "Overview", Exact = true }).ClickAsync();
        var denied = await page.Locator("figcaption .legend .deny").InnerTextAsync();
        Assert.True(int.Parse(denied["deny ".Length..], System.Globalization.CultureInfo.InvariantCulture) >= 1, denied);
        Assert.True(await page.Locator("figure.chart svg rect.deny").CountAsync() >= 1);
        await page.GotoAsync(IdentityPage(Assistant));

        // Reactivating brings the unexpired credential back.
        await page.GetByRole(AriaRole.Link, new() { Name = "Reactivate…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: reactivate" }).ClickAsync();
        await Assertions.Expect(page.Locator("#identity-status")).ToHaveTextAsync("active");
        Assert.True(await DecideAsync(admin, credential));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task ReadOnlyRole_ShouldSeeNoAction_AndTheServerShouldRefuseOneAnyway()
    {
        var token = await demo.Server.CreateOperatorTokenAsync("console-auditor", "auditor");
        await using (var browser = await ConsoleBrowser.OpenAsync(chromium, demo.Server))
        {
            await browser.SignInAsync(token);
            await browser.Page.GotoAsync(IdentityPage(Pipeline) + "&confirm=suspended");
            await Assertions.Expect(browser.Page.Locator("#identity-status")).ToHaveTextAsync("active");
            Assert.Equal(0, await browser.Page.Locator("#actions").CountAsync());
            Assert.Equal(0, await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Confirm: suspend" }).CountAsync());
            Assert.Equal(0, await browser.Page.GetByRole(AriaRole.Link, new() { Name = "Suspend…" }).CountAsync());
        }

        // The same post a security operator's page would send, with a valid antiforgery token of the auditor's.
        using var client = demo.Server.CreateClient(followRedirects: false);
        using (var signedIn = await SignInTests.SignInOverHttpAsync(client, token))
        {
            Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        }

        var html = await client.GetStringAsync(new Uri(IdentityPage(Pipeline), UriKind.Relative), Ct);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "status",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(SignInTests.AntiforgeryField().Match(html).Groups[1].Value),
            ["target"] = "suspended",
            ["reason"] = "not allowed",
        });
        using var refused = await client.PostAsync(new Uri(IdentityPage(Pipeline), UriKind.Relative), form, Ct);

        // Refused before any handler runs: the page renders no status form for an auditor, so the post names a form
        // that does not exist for them (400). The handler's own role check (403) stands behind it.
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        using var admin = demo.Server.CreateAdminClient();
        var identity = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/identities/" + Pipeline["spiffe://".Length..], UriKind.Relative), Ct)).RootElement;
        Assert.Equal("active", identity.GetProperty("status").GetString());
    }

    /// <summary>The assistant opens a task with its own SVID; returns the task's id and credential.</summary>
    internal static async Task<(string Id, string Credential)> OpenTaskAsync(ConsoleTestServer server)
    {
        var issuer = server.Services.GetRequiredService<IKeyRing>().Issuer;
        var svid = server.Services.GetRequiredService<JwtSvidIssuer>().Issue(SpiffeId.Parse(Assistant), [issuer], TimeSpan.FromMinutes(30)).Token;
        using var agent = server.CreateClient(svid);
        using var opened = await agent.PostAsJsonAsync("/v1/tasks", new
        {
            intent = new { description = "answer ticket T-1001", actions = new[] { "read" }, resources = new[] { "Ticket::\"T-1001\"" }, sensitivity_ceiling = "medium" },
            ttl_seconds = 600,
        }, Ct);
        var text = await opened.Content.ReadAsStringAsync(Ct);
        Assert.True(opened.IsSuccessStatusCode, text);
        var root = JsonDocument.Parse(text).RootElement;
        return (root.GetProperty("task").GetProperty("id").GetString()!, root.GetProperty("credential").GetProperty("access_token").GetString()!);
    }

    internal static async Task<bool> DecideAsync(HttpClient admin, string credential, string? channel = null)
    {
        using var response = await admin.PostAsJsonAsync("/access/v1/evaluation", new
        {
            subject = new { type = "Workload", id = Assistant },
            action = new { name = "read" },
            resource = new { type = "Ticket", id = "T-1001" },
            context = channel is null ? (object)new { credential } : new { credential, channel },
        }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("decision").GetBoolean();
    }
}
