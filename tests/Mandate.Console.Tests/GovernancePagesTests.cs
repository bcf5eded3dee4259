using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mandate.Console.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Mandate.Console.Tests;

/// <summary>
/// The governance pages (policies, findings, reviews, exceptions, alerts, compliance): real data made through the API,
/// each action taken in the browser and seen to take effect over the API, the API's roles (and four eyes) holding.
/// </summary>
public sealed class GovernancePagesTests(Chromium chromium)
{
    private const string Billing = "spiffe://demo.mandate.local/svc/billing";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PolicyPage_ShouldDiffValidateActivateAndRollBack_WithTheOperatorInTheLedger()
    {
        await using var server = await ConsoleTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        var original = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/policies", UriKind.Relative), Ct)).RootElement;
        var originalVersion = original.GetProperty("version").GetString()!;
        var bundle = original.GetProperty("bundle");
        var policies = bundle.GetProperty("policies").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var file = policies.Keys.Single();
        var narrowed = policies[file].Replace("action in [Action::\"read\", Action::\"write\"],\n  resource is Invoice", "action == Action::\"write\",\n  resource is Invoice", StringComparison.Ordinal);
        Assert.NotEqual(policies[file], narrowed);
        policies[file] = narrowed + "\n@id(\"console-test-added\")\nforbid (\n  principal == Workload::\"" + Billing + "\",\n  action == Action::\"deploy\",\n  resource is Environment\n);\n";
        using var put = await admin.PutAsJsonAsync("/v1/policies", new { policies, entities = bundle.GetProperty("entities"), schema = bundle.GetProperty("schema").GetString() }, Ct);
        var putText = await put.Content.ReadAsStringAsync(Ct);
        Assert.True(put.IsSuccessStatusCode, putText);
        var newVersion = JsonDocument.Parse(putText).RootElement.GetProperty("version").GetString()!;
        Assert.False(await DecideAsync(admin, Billing, "read", "Invoice", "INV-2026-001"));

        var token = await server.CreateOperatorTokenAsync("console-policy", "security");
        await using var browser = await ConsoleBrowser.OpenAsync(chromium, server);
        await browser.SignInAsync(token);
        var page = browser.Page;
        await page.GetByRole(AriaRole.Link, new() { Name = "Policies", Exact = true }).ClickAsync();

        // The diff, server-rendered: the added policy by its id, the changed one with its removed and added lines.
        await page.Locator("select[name=from]").SelectOptionAsync(originalVersion);
        await page.Locator("select[name=to]").SelectOptionAsync(newVersion);
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare" }).ClickAsync();
        await Assertions.Expect(page.Locator("#diff")).ToContainTextAsync("1 added, 0 removed, 1 changed");
        await Assertions.Expect(page.Locator("#diff h3", new() { HasText = "console-test-added" })).ToContainTextAsync("added");
        await Assertions.Expect(page.Locator("#diff h3", new() { HasText = "billing-invoices" })).ToContainTextAsync("changed");
        await Assertions.Expect(page.Locator("pre.diff[aria-label='Line diff of billing-invoices'] .del")).ToContainTextAsync("Action::\"read\"");
        await Assertions.Expect(page.Locator("pre.diff[aria-label='Line diff of billing-invoices'] .add")).ToContainTextAsync("Action::\"write\"");
        await ConsolePagesTests.CheckPageAsync(browser, page.Url);

        // Validation: the API's validator, errors with file, line and column; nothing stored.
        await page.GetByLabel("Bundle or Cedar text").FillAsync("permit (principal, action, resource)\nwhen { 1 + };");
        await page.GetByRole(AriaRole.Button, new() { Name = "Validate" }).ClickAsync();
        await Assertions.Expect(page.Locator("#validation")).ToContainTextAsync("Not valid");
        await Assertions.Expect(page.Locator("#validation")).ToContainTextAsync(new Regex(@"pasted\.cedar:2:\d+:"));
        await page.GetByLabel("Bundle or Cedar text").FillAsync(string.Empty);
        await page.GetByLabel("Or a file").SetInputFilesAsync(new FilePayload { Name = "uploaded.cedar", MimeType = "text/plain", Buffer = "permit (principal, action, resource);\nforbid (principal action, resource);"u8.ToArray() });
        await page.GetByRole(AriaRole.Button, new() { Name = "Validate" }).ClickAsync();
        await Assertions.Expect(page.Locator("#validation")).ToContainTextAsync(new Regex(@"uploaded\.cedar:2:\d+:"));
        await page.GetByLabel("Bundle or Cedar text").FillAsync(JsonSerializer.Serialize(new { policies = new Dictionary<string, string> { ["ok.cedar"] = "permit (principal, action, resource);" } }));
        await page.GetByRole(AriaRole.Button, new() { Name = "Validate" }).ClickAsync();
        await Assertions.Expect(page.Locator("#validation")).ToContainTextAsync("Valid: it would be version");
        Assert.Equal(newVersion, await ActiveVersionAsync(admin));

        // Activating the older version: confirmation, then the decision path changes at once.
        await page.GetByRole(AriaRole.Link, new() { Name = "Activate version " + originalVersion }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Activate this version?" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: activate" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("done="));
        await Assertions.Expect(page.Locator("#active-version")).ToHaveTextAsync(originalVersion);
        Assert.True(await DecideAsync(admin, Billing, "read", "Invoice", "INV-2026-001"));

        // Rolling back returns to the version active before it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Roll back to the previous version…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: roll back" }).ClickAsync();
        await Assertions.Expect(page.Locator("#active-version")).ToHaveTextAsync(newVersion);
        Assert.False(await DecideAsync(admin, Billing, "read", "Invoice", "INV-2026-001"));

        var events = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/audit/events?type=policy.rolled_back&limit=100", UriKind.Relative), Ct)).RootElement.GetProperty("events");
        Assert.Equal(2, events.EnumerateArray().Count(e => e.GetProperty("actor").GetString() == "operator:console-policy"));
        OnlyRefusals(browser, 400, 2);
    }

    [Fact]
    public async Task Exception_ShouldNeedASecondOperatorsApproval_ThenTakeEffect_AndEndWhenRevoked()
    {
        await using var server = await ConsoleTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        var requester = await server.CreateOperatorTokenAsync("console-requester", "security", "approver");
        var approver = await server.CreateOperatorTokenAsync("console-approver", "approver");
        using var api = server.CreateClient(requester);
        using var requested = await api.PostAsJsonAsync("/v1/exceptions", new { identity = Billing, action = "read", resource = "Ticket::\"T-1001\"", ttl_seconds = 600, reason = "INC-42: the disputed ticket" }, Ct);
        var requestedText = await requested.Content.ReadAsStringAsync(Ct);
        Assert.True(requested.IsSuccessStatusCode, requestedText);
        var id = JsonDocument.Parse(requestedText).RootElement.GetProperty("id").GetString()!;
        Assert.False(await DecideAsync(admin, Billing, "read", "Ticket", "T-1001"));

        // The requester may not approve their own request: the service refuses it (four eyes), the page says so.
        await using (var browser = await ConsoleBrowser.OpenAsync(chromium, server))
        {
            await browser.SignInAsync(requester);
            var page = browser.Page;
            await page.GetByRole(AriaRole.Link, new() { Name = "Exceptions", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = id }).ClickAsync();
            await Assertions.Expect(page.Locator("#grant-status")).ToHaveTextAsync("pending");
            await page.GetByRole(AriaRole.Link, new() { Name = "Approve…" }).ClickAsync();
            var refused = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Confirm: approve" }).ClickAsync(), r => r.Request.Method == "POST");
            Assert.Equal(403, refused.Status);
            await Assertions.Expect(page.Locator(".error")).ToContainTextAsync("other than its requester");
            await Assertions.Expect(page.Locator("#grant-status")).ToHaveTextAsync("pending");
            OnlyRefusals(browser, 403, 1);
        }

        Assert.False(await DecideAsync(admin, Billing, "read", "Ticket", "T-1001"));
        var forbidden = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/audit/events?type=access.forbidden&limit=100", UriKind.Relative), Ct)).RootElement.GetProperty("events");
        Assert.Contains(forbidden.EnumerateArray(), e => e.GetProperty("actor").GetString() == "operator:console-requester");

        // A second operator approves: the grant is active and the decision point permits at once; revoking ends it.
        await using (var browser = await ConsoleBrowser.OpenAsync(chromium, server))
        {
            await browser.SignInAsync(approver);
            var page = browser.Page;
            await page.GotoAsync("/console/exceptions?id=" + Uri.EscapeDataString(id));
            await page.GetByRole(AriaRole.Link, new() { Name = "Approve…" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: approve" }).ClickAsync();
            await Assertions.Expect(page.Locator("#grant-status")).ToHaveTextAsync("active");
            Assert.True(await DecideAsync(admin, Billing, "read", "Ticket", "T-1001"));

            await page.GetByRole(AriaRole.Link, new() { Name = "Revoke…" }).ClickAsync();
            await page.GetByLabel("Reason (recorded in the ledger)").FillAsync("INC-42 closed");
            await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: revoke" }).ClickAsync();
            await Assertions.Expect(page.Locator("#grant-status")).ToHaveTextAsync("revoked");
            Assert.False(await DecideAsync(admin, Billing, "read", "Ticket", "T-1001"));
            Assert.Empty(browser.Errors);
        }

        var grant = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/exceptions/" + id, UriKind.Relative), Ct)).RootElement;
        Assert.Equal("operator:console-approver", grant.GetProperty("decided_by").GetString());
        Assert.Equal("operator:console-approver", grant.GetProperty("ended_by").GetString());
    }

    [Fact]
    public async Task FindingsReviewsAlertsCompliance_ShouldShowTheApisData_TakeTheirActions_AndHideThemFromReadOnlyRoles()
    {
        await using var server = await ConsoleTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        var security = await server.CreateOperatorTokenAsync("console-security", "security");
        var reviewer = await server.CreateOperatorTokenAsync("console-reviewer", "reviewer");
        var auditor = await server.CreateOperatorTokenAsync("console-auditor", "auditor");
        using (var recomputed = await admin.PostAsync(new Uri("/v1/findings/recompute", UriKind.Relative), null, Ct))
        {
            Assert.True(recomputed.IsSuccessStatusCode, await recomputed.Content.ReadAsStringAsync(Ct));
        }

        // Break-glass raises a critical alert; an access review over every identity for the reviewer.
        using (var securityApi = server.CreateClient(security))
        using (var glass = await securityApi.PostAsJsonAsync("/v1/breakglass", new { identity = Billing, action = "read", resource = "Ticket::\"T-1002\"", ttl_seconds = 600, reason = "INC-43: outage" }, Ct))
        {
            Assert.True(glass.IsSuccessStatusCode, await glass.Content.ReadAsStringAsync(Ct));
        }

        using var started = await admin.PostAsJsonAsync("/v1/reviews", new { all = true, reviewer = "console-reviewer", due = DateTimeOffset.UtcNow.AddDays(7) }, Ct);
        var startedText = await started.Content.ReadAsStringAsync(Ct);
        Assert.True(started.IsSuccessStatusCode, startedText);
        var review = JsonDocument.Parse(startedText).RootElement.GetProperty("id").GetString()!;
        var open = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/findings", UriKind.Relative), Ct)).RootElement.GetProperty("findings");
        Assert.True(open.GetArrayLength() > 0, "the demo estate has open findings");

        await using (var browser = await ConsoleBrowser.OpenAsync(chromium, server))
        {
            await browser.SignInAsync(security);
            var page = browser.Page;

            // Findings: the API's open findings, filtered on the server; accepting one (confirmation, reason, date).
            await page.GetByRole(AriaRole.Link, new() { Name = "Findings", Exact = true }).ClickAsync();
            await Assertions.Expect(page.Locator("#findings tbody tr")).ToHaveCountAsync(open.GetArrayLength());
            var severity = open[0].GetProperty("severity").GetString()!;
            await page.GetByLabel("Severity").SelectOptionAsync(severity);
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
            await Assertions.Expect(page.Locator("#findings tbody tr")).ToHaveCountAsync(open.EnumerateArray().Count(f => f.GetProperty("severity").GetString() == severity));
            var finding = open[0].GetProperty("id").GetString()!;
            await page.GetByRole(AriaRole.Link, new() { Name = "Accept finding " + finding }).ClickAsync();
            await page.GetByLabel("Reason (recorded in the ledger)").FillAsync("known, tracked in JIRA-7");
            await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: accept" }).ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("status=accepted"));
            await Assertions.Expect(page.Locator("#findings")).ToContainTextAsync("by operator:console-security");
            var accepted = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/findings?status=accepted", UriKind.Relative), Ct)).RootElement.GetProperty("findings");
            Assert.Contains(accepted.EnumerateArray(), f => f.GetProperty("id").GetString() == finding);

            // Identities: the source filter lists the identities imported from it, as GET /v1/inventory does.
            var imported = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/inventory?source=aws&limit=1000", UriKind.Relative), Ct)).RootElement.GetProperty("entries");
            Assert.True(imported.GetArrayLength() > 0, "the demo estate imports an AWS credential report");
            await page.GetByRole(AriaRole.Link, new() { Name = "Identities", Exact = true }).ClickAsync();
            await page.GetByLabel("Imported from (source)").FillAsync("aws");
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
            await Assertions.Expect(page.Locator("#imported tbody tr")).ToHaveCountAsync(Math.Min(50, imported.GetArrayLength()));
            await Assertions.Expect(page.Locator("#imported")).ToContainTextAsync(imported[0].GetProperty("external_id").GetString()!);
            Assert.All(await page.Locator("#imported tbody tr td:nth-child(1)").AllInnerTextsAsync(), source => Assert.Equal("aws", source));

            // Alerts: the break-glass alert, kept by the severity filter.
            await page.GetByRole(AriaRole.Link, new() { Name = "Alerts", Exact = true }).ClickAsync();
            await page.GetByLabel("Severity").SelectOptionAsync("critical");
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
            await Assertions.Expect(page.Locator("#alerts")).ToContainTextAsync("breakglass");
            Assert.All(await page.Locator("#alerts tbody tr td:nth-child(3)").AllInnerTextsAsync(), s => Assert.Equal("critical", s));

            // Compliance: the controls the API reports, and its JSON download through the cookie.
            var report = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/compliance/report", UriKind.Relative), Ct)).RootElement;
            await page.GetByRole(AriaRole.Link, new() { Name = "Compliance", Exact = true }).ClickAsync();
            await Assertions.Expect(page.Locator("table.controls tbody tr")).ToHaveCountAsync(report.GetProperty("controls").GetArrayLength());
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "JSON" }).ClickAsync());
            var downloaded = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!, Ct)).RootElement;
            Assert.Equal(report.GetProperty("controls").GetArrayLength(), downloaded.GetProperty("controls").GetArrayLength());

            // Weight, origin, script errors and accessibility of every new page, with this data in it.
            string[] paths = ["/console/policies", "/console/findings?status=all", "/console/reviews", "/console/reviews?id=" + review, "/console/exceptions", "/console/alerts", "/console/compliance"];
            foreach (var path in paths)
            {
                await ConsolePagesTests.CheckPageAsync(browser, path);
            }

            var grants = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/exceptions", UriKind.Relative), Ct)).RootElement.GetProperty("exceptions");
            await ConsolePagesTests.CheckPageAsync(browser, "/console/exceptions?id=" + grants[0].GetProperty("id").GetString());
            Assert.Empty(browser.Errors);
            Assert.All(browser.Requests, r => Assert.True(browser.IsSameOrigin(r), "request left the origin: " + r));
        }

        // Reviews: the named reviewer certifies an item; the API shows the decision with them as the decider.
        await using (var browser = await ConsoleBrowser.OpenAsync(chromium, server))
        {
            await browser.SignInAsync(reviewer);
            var page = browser.Page;
            await page.GetByRole(AriaRole.Link, new() { Name = "Reviews", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = review }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Certify item 1", Exact = true }).ClickAsync();
            await page.GetByLabel("Reason (recorded with the decision)").FillAsync("still needed for invoicing");
            await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: certify" }).ClickAsync();
            await Assertions.Expect(page.Locator("#items tbody tr").First).ToContainTextAsync("certified by operator:console-reviewer");
            var item = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/reviews/" + review, UriKind.Relative), Ct)).RootElement.GetProperty("items")[0];
            Assert.Equal("certified", item.GetProperty("decision").GetString());
            Assert.Equal("operator:console-reviewer", item.GetProperty("decided_by").GetString());
            Assert.Empty(browser.Errors);
        }

        // A read-only role sees every page and no action on any of them.
        await using (var browser = await ConsoleBrowser.OpenAsync(chromium, server))
        {
            await browser.SignInAsync(auditor);
            var page = browser.Page;
            var grant = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/exceptions?status=active", UriKind.Relative), Ct)).RootElement.GetProperty("exceptions")[0].GetProperty("id").GetString()!;
            foreach (var path in new[] { "/console/policies?confirm=rollback", "/console/findings", "/console/reviews?id=" + review, "/console/exceptions?id=" + grant + "&confirm=revoke" })
            {
                await page.GotoAsync(path);
                await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
                Assert.Equal(0, await page.Locator("main form[method=post]").CountAsync());
                Assert.Equal(0, await page.Locator("main a", new() { HasTextRegex = new Regex("…$") }).CountAsync());
            }
        }

        // ... and a forged post (with the auditor's own valid antiforgery token) changes nothing.
        var before = await ActiveVersionAsync(admin);
        using var client = server.CreateClient(followRedirects: false);
        using (var signedIn = await SignInTests.SignInOverHttpAsync(client, auditor))
        {
            Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        }

        var html = await client.GetStringAsync(new Uri("/console/policies", UriKind.Relative), Ct);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "activate",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(SignInTests.AntiforgeryField().Match(html).Groups[1].Value),
            ["version"] = before,
        });
        using var refused = await client.PostAsync(new Uri("/console/policies", UriKind.Relative), form, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(before, await ActiveVersionAsync(admin));
    }

    /// <summary>
    /// No script error: chromium logs a page answered with an error status (the refusal the test provoked) as a
    /// console error, and that is the only kind of message allowed: <paramref name="count"/> of them, with <paramref name="status"/>.
    /// </summary>
    private static void OnlyRefusals(ConsoleBrowser browser, int status, int count)
    {
        Assert.Equal(count, browser.Errors.Count);
        Assert.All(browser.Errors, e => Assert.StartsWith("console: Failed to load resource: the server responded with a status of " + status + " (", e, StringComparison.Ordinal));
    }

    private static async Task<string> ActiveVersionAsync(HttpClient admin) =>
        JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/policies", UriKind.Relative), Ct)).RootElement.GetProperty("version").GetString()!;

    /// <summary>The AuthZEN decision for <paramref name="identity"/> (no credential), as a PEP asks it.</summary>
    private static async Task<bool> DecideAsync(HttpClient client, string identity, string action, string type, string id)
    {
        using var content = new StringContent(JsonSerializer.Serialize(new { subject = new { type = "Workload", id = identity }, action = new { name = action }, resource = new { type, id }, context = new { } }));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(new Uri("/access/v1/evaluation", UriKind.Relative), content, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("decision").GetBoolean();
    }
}
