using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Mandate.Console.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Mandate.Console.Tests;

/// <summary>Every console page, signed in as the admin, in Chromium against the demo server: real data, keyboard, weight, origin, accessibility.</summary>
public sealed class ConsolePagesTests(Chromium chromium, DemoServer demo) : IClassFixture<DemoServer>
{
    private const string Assistant = "spiffe://demo.mandate.local/agent/support-assistant";
    private const long MaxPageBytes = 500 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Pages = ["/console", "/console/identities", "/console/identity?id=" + Uri.EscapeDataString(Assistant), "/console/tasks", "/console/decisions", "/console/policies", "/console/audit"];

    [Fact]
    public async Task EveryPage_ShouldShowTheDemoEstate_AsTheApiReportsIt()
    {
        using var admin = demo.Server.CreateAdminClient();
        var identities = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/identities", UriKind.Relative), Ct)).RootElement.GetProperty("identities");
        var verify = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/audit/verify", UriKind.Relative), Ct)).RootElement;

        await using var browser = await ConsoleBrowser.OpenAsync(chromium, demo.Server);
        await browser.SignInAsync(demo.Server.AdminToken);
        var page = browser.Page;

        // Overview: the counts are the inventory's; the chart is an inline SVG with its text alternative.
        await Assertions.Expect(page.Locator("#count-identities")).ToHaveTextAsync(identities.GetArrayLength().ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#identity-counts")).ToContainTextAsync("agent");
        await Assertions.Expect(page.Locator("figure.chart svg[role=img] > title#chart-title")).ToContainTextAsync("Decisions per minute");
        Assert.True(long.Parse(await page.Locator("#ledger-head").InnerTextAsync(), NumberStyles.AllowThousands, CultureInfo.InvariantCulture) > 0);

        // Identities: every demo identity listed, each linking to its page.
        await page.GetByRole(AriaRole.Link, new() { Name = "Identities", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/identities$"));
        foreach (var identity in identities.EnumerateArray())
        {
            await Assertions.Expect(page.Locator("#identities")).ToContainTextAsync(identity.GetProperty("spiffe_id").GetString()!);
        }

        // Filters run on the server: kind=agent leaves the assistant alone.
        await page.GetByLabel("Kind").SelectOptionAsync("agent");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("kind=agent"));
        await Assertions.Expect(page.Locator("#identities tbody tr")).ToHaveCountAsync(identities.EnumerateArray().Count(i => i.GetProperty("kind").GetString() == "agent"));

        // Identity page: attributes, findings and the ledger timeline.
        await page.GetByRole(AriaRole.Link, new() { Name = Assistant }).ClickAsync();
        await Assertions.Expect(page.Locator("#spiffe-id")).ToHaveTextAsync(Assistant);
        await Assertions.Expect(page.Locator("dl.facts")).ToContainTextAsync("team:support");
        await Assertions.Expect(page.Locator("#identity-status")).ToHaveTextAsync("active");
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("identity.registered");

        // Policies: the active version the API reports, among the stored versions.
        var policy = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/policies", UriKind.Relative), Ct)).RootElement;
        await page.GetByRole(AriaRole.Link, new() { Name = "Policies", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#active-policy")).ToContainTextAsync(policy.GetProperty("version").GetString()!);
        await Assertions.Expect(page.Locator("#versions")).ToContainTextAsync(policy.GetProperty("version").GetString()! + " (active)");

        // Decisions: the what-if form answers from the active policies, naming the determining policy, and records nothing.
        var recorded = await DecisionEventsAsync(admin);
        await page.GetByRole(AriaRole.Link, new() { Name = "Decisions", Exact = true }).ClickAsync();
        await page.Locator("input[name=wi_subject]").FillAsync("spiffe://demo.mandate.local/svc/billing");
        await page.Locator("input[name=wi_action]").FillAsync("read");
        await page.Locator("input[name=wi_resource_type]").FillAsync("Invoice");
        await page.Locator("input[name=wi_resource]").FillAsync("INV-2026-001");
        await page.GetByRole(AriaRole.Button, new() { Name = "Evaluate" }).ClickAsync();
        await Assertions.Expect(page.Locator("#what-if-result")).ToContainTextAsync("allow");
        await Assertions.Expect(page.Locator("#what-if-result")).ToContainTextAsync("determining policies");
        await page.Locator("input[name=wi_action]").FillAsync("delete");
        await page.GetByRole(AriaRole.Button, new() { Name = "Evaluate" }).ClickAsync();
        await Assertions.Expect(page.Locator("#what-if-result")).ToContainTextAsync("deny");
        await page.Locator("input[name=wi_context]").FillAsync("{\"credential\":\"a-token\"}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Evaluate" }).ClickAsync();
        await Assertions.Expect(page.Locator("#what-if-result")).ToContainTextAsync("carries no credential");
        Assert.Equal(recorded, await DecisionEventsAsync(admin));

        // Audit: the chain state the API reports, and the export downloads through the console's cookie.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit", Exact = true }).ClickAsync();
        Assert.True(verify.GetProperty("verified").GetBoolean());
        await Assertions.Expect(page.Locator("#chain-state")).ToContainTextAsync("verified");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#export-jsonl").ClickAsync());
        var exported = await File.ReadAllLinesAsync((await download.PathAsync())!, Ct);
        Assert.True(exported.Length > verify.GetProperty("events").GetInt64());
        Assert.Equal("header", JsonDocument.Parse(exported[0]).RootElement.GetProperty("kind").GetString());
        Assert.Equal(1, JsonDocument.Parse(exported[0]).RootElement.GetProperty("from").GetInt64());

        Assert.Empty(browser.Errors);
        Assert.All(browser.Requests, r => Assert.True(browser.IsSameOrigin(r), "request left the origin: " + r));
    }

    [Fact]
    public async Task Navigation_ShouldWorkByKeyboardAlone()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(chromium, demo.Server);
        var page = browser.Page;
        await page.GotoAsync("/console");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("token", await page.EvaluateAsync<string>("document.activeElement.name"));
        await page.Keyboard.TypeAsync(demo.Server.AdminToken);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();

        // Skip link first, then the navigation bar in order.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Overview", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Identities", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Identities", Level = 1 })).ToBeVisibleAsync();
        Assert.Equal("page", await page.Locator("nav a", new() { HasText = "Identities" }).GetAttributeAsync("aria-current"));

        // Into the search form by keyboard, and a search by Enter.
        await page.Locator("input[name=q]").FocusAsync();
        await page.Keyboard.TypeAsync("spiffe://demo.mandate.local/agent/");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#identities tbody tr")).ToHaveCountAsync(1);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task EveryPage_ShouldBeLight_StayOnItsOrigin_RaiseNoScriptError_AndHaveNoSeriousAccessibilityViolation()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(chromium, demo.Server);

        // The sign-in page too, before signing in; and the page of a task the assistant opens (with a decision taken).
        var task = await IdentityActionTests.OpenTaskAsync(demo.Server);
        using (var admin = demo.Server.CreateAdminClient())
        {
            Assert.True(await IdentityActionTests.DecideAsync(admin, task.Credential));
        }

        string[] paths = ["/console", .. Pages, "/console/tasks/" + Uri.EscapeDataString(task.Id)];
        for (var i = 0; i < paths.Length; i++)
        {
            if (i == 1)
            {
                await browser.SignInAsync(demo.Server.AdminToken);
            }

            await CheckPageAsync(browser, paths[i]);
        }

        Assert.Empty(browser.Errors);
        Assert.All(browser.Requests, r => Assert.True(browser.IsSameOrigin(r), "request left the origin: " + r));
    }

    private static async Task<int> DecisionEventsAsync(HttpClient admin) =>
        JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/audit/events?type=decision&limit=1000", UriKind.Relative), Ct)).RootElement.GetProperty("events").GetArrayLength();

    internal static async Task CheckPageAsync(ConsoleBrowser browser, string path)
    {
        var page = browser.Page;
        long bytes = 0;
        var counted = new List<Task>();
        void Count(object? sender, IResponse response) => counted.Add(Task.Run(async () =>
        {
            try
            {
                Interlocked.Add(ref bytes, (await response.BodyAsync()).Length);
            }
            catch (PlaywrightException)
            {
                // A redirect has no body to count.
            }
        }));

        page.Response += Count;
        var answer = await page.GotoAsync(path);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        page.Response -= Count;
        await Task.WhenAll(counted);
        Assert.Equal(200, answer!.Status);
        Assert.True(bytes is > 0 and <= MaxPageBytes, $"{path} weighs {bytes} bytes");
        Assert.Contains("default-src 'none'", (await answer.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);

        // The WCAG 2.1 A and AA rules (what "accessible" is held to), not axe's best-practice extras.
        var axe = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join("; ", v.Nodes.Select(n => n.Html))}").ToList();
        Assert.True(serious.Count == 0, path + ":\n" + string.Join("\n", serious));
    }
}
