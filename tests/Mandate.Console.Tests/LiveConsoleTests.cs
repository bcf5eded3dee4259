using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Console.Tests.Infrastructure;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Core.Storage;
using Mandate.Core.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Mandate.Console.Tests;

/// <summary>
/// The live task list and decision stream (console.js polling the page itself), the decision page, and the delegation
/// graph of a real token exchange, in Chromium against the demo server; and the live path's refusals over plain HTTP.
/// </summary>
public sealed class LiveConsoleTests(Chromium chromium, DemoServer demo) : IClassFixture<DemoServer>
{
    private const string Assistant = "spiffe://demo.mandate.local/agent/support-assistant";
    private const string Summarizer = "spiffe://demo.mandate.local/agent/ticket-summarizer";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TaskListAndDecisionStream_ShouldShowNewOnes_WithoutAReload()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(chromium, demo.Server);
        await browser.SignInAsync(demo.Server.AdminToken);
        var page = browser.Page;

        // The tasks page is open; a task opened over the API appears in it, and the document is the same one (no reload).
        await page.GotoAsync("/console/tasks");
        await page.EvaluateAsync("() => { window.mandateTestMarker = 'same document'; }");
        var (taskId, credential) = await IdentityActionTests.OpenTaskAsync(demo.Server);
        await Assertions.Expect(page.Locator("#tasks")).ToContainTextAsync(taskId);
        await Assertions.Expect(page.Locator("#tasks-live-status")).ToContainTextAsync("Live");
        Assert.Equal("same document", await page.EvaluateAsync<string>("() => window.mandateTestMarker"));

        // The decision stream, filtered to allowed decisions: one taken over the API appears, linking to its page.
        await page.GotoAsync("/console/decisions?decision=allow");
        Assert.Equal("/console/decisions?decision=allow", await page.Locator("#decisions-live").GetAttributeAsync("data-live-src"));
        await page.EvaluateAsync("() => { window.mandateTestMarker = 'same document'; }");
        using var admin = demo.Server.CreateAdminClient();
        Assert.True(await IdentityActionTests.DecideAsync(admin, credential));
        var seq = await LastDecisionAsync(admin, taskId);
        await Assertions.Expect(page.Locator($"#decisions a[href='/console/decisions/{seq.ToString(CultureInfo.InvariantCulture)}']")).ToBeVisibleAsync();
        Assert.Equal("same document", await page.EvaluateAsync<string>("() => window.mandateTestMarker"));
        Assert.DoesNotContain("deny", await page.Locator("#decisions tbody").InnerTextAsync(), StringComparison.Ordinal);

        Assert.Contains(browser.Requests, r => r.EndsWith("/console/console.js", StringComparison.Ordinal));
        Assert.Empty(browser.Errors);
        Assert.All(browser.Requests, r => Assert.True(browser.IsSameOrigin(r), "request left the origin: " + r));
    }

    [Fact]
    public async Task LiveList_ShouldStopAndSaySo_WhenTheOperatorIsDisabled()
    {
        var token = await demo.Server.CreateOperatorTokenAsync("live-watcher", "auditor");
        await using var browser = await ConsoleBrowser.OpenAsync(chromium, demo.Server);
        await browser.SignInAsync(token);
        var page = browser.Page;
        await page.GotoAsync("/console/decisions");
        await Assertions.Expect(page.Locator("#decisions-live-status")).ToContainTextAsync("Live");
        var rows = await page.Locator("#decisions-live").InnerHTMLAsync();

        using (var admin = demo.Server.CreateAdminClient())
        using (var disabled = await admin.PostAsync(new Uri("/v1/operators/live-watcher/disable", UriKind.Relative), null, Ct))
        {
            Assert.True(disabled.IsSuccessStatusCode, await disabled.Content.ReadAsStringAsync(Ct));
        }

        // The next poll gets the sign-in redirect: the script stops, says so, and leaves the list as it was.
        await Assertions.Expect(page.Locator("#decisions-live-status")).ToContainTextAsync("Signed out");
        Assert.Equal(rows, await page.Locator("#decisions-live").InnerHTMLAsync());
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task DecisionPage_ShouldShowTheDeterminingPolicy_TheContext_AndTheProof()
    {
        var (taskId, credential) = await IdentityActionTests.OpenTaskAsync(demo.Server);
        using var admin = demo.Server.CreateAdminClient();
        Assert.True(await IdentityActionTests.DecideAsync(admin, credential, channel: "support-chat"));
        var events = await DecisionEventsAsync(admin, taskId);
        var recorded = events[^1];
        var seq = recorded.GetProperty("seq").GetInt64();
        var policyId = recorded.GetProperty("reason").GetString()!.Split(',')[0];

        await using var browser = await ConsoleBrowser.OpenAsync(chromium, demo.Server);
        await browser.SignInAsync(demo.Server.AdminToken);
        var page = browser.Page;

        // From the task page's decision row to the decision.
        await page.GotoAsync("/console/tasks/" + Uri.EscapeDataString(taskId));
        await page.Locator("#task-decisions").GetByRole(AriaRole.Link, new() { Name = seq.ToString(CultureInfo.InvariantCulture), Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Decision " + seq.ToString(CultureInfo.InvariantCulture), Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#decision-outcome")).ToHaveTextAsync("allow");
        await Assertions.Expect(page.Locator("#decision-request")).ToContainTextAsync(Assistant);
        Assert.Equal("/console/identity?id=" + Uri.EscapeDataString(Assistant), await page.Locator("#decision-request a").First.GetAttributeAsync("href"));
        await Assertions.Expect(page.Locator("#decision-request")).ToContainTextAsync("Ticket::\"T-1001\"");
        await Assertions.Expect(page.Locator("#decision-policy-version")).ToContainTextAsync(recorded.GetProperty("policy_version").GetString()!);

        // The determining policy, with its text from the policy version the decision names.
        await Assertions.Expect(page.Locator("#decision-policies tbody tr").First).ToContainTextAsync(policyId);
        await Assertions.Expect(page.Locator("#decision-policies pre.policy").First).ToContainTextAsync("permit");

        // The context the ledger holds: the caller, the credential and its task.
        await Assertions.Expect(page.Locator("#decision-context")).ToContainTextAsync(recorded.GetProperty("actor").GetString()!);
        await Assertions.Expect(page.Locator("#decision-credential")).ToHaveTextAsync(recorded.GetProperty("jti").GetString()!);
        await Assertions.Expect(page.Locator("#decision-context")).ToContainTextAsync(taskId);

        // The context members the caller sent, as the ledger keeps them (never the credential itself).
        await Assertions.Expect(page.Locator("#decision-context")).ToContainTextAsync("context members");
        await Assertions.Expect(page.Locator("#decision-context")).ToContainTextAsync("\"channel\":\"support-chat\"");
        await Assertions.Expect(page.Locator("#decision-context")).Not.ToContainTextAsync(credential);
        Assert.Equal("/console/audit/proof?seq=" + seq.ToString(CultureInfo.InvariantCulture), await page.Locator("#decision-proof").GetAttributeAsync("href"));

        // The decisions page and the identity timeline link to the same page.
        await page.GotoAsync("/console/decisions");
        Assert.Equal(1, await page.Locator($"#decisions a[href='/console/decisions/{seq.ToString(CultureInfo.InvariantCulture)}']").CountAsync());
        await page.GotoAsync("/console/identity?id=" + Uri.EscapeDataString(Assistant));
        Assert.Equal(1, await page.Locator($"#timeline a[href='/console/decisions/{seq.ToString(CultureInfo.InvariantCulture)}']").CountAsync());

        // Not a decision, not a number: no page.
        var other = await page.GotoAsync("/console/decisions/1");
        Assert.Equal(404, other!.Status);
        var bad = await page.GotoAsync("/console/decisions/x1");
        Assert.Equal(400, bad!.Status);
        // The two refused pages log their status as a failed load; nothing else may fail.
        Assert.DoesNotContain(browser.Errors, e => !e.Contains("404", StringComparison.Ordinal) && !e.Contains("400", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DelegationGraph_ShouldDrawARealTokenExchange_AndThePagesShouldPassTheChecks()
    {
        // The summarizer (in the demo's policies, not in its inventory) is registered; the assistant opens a task it may
        // delegate to it; the summarizer exchanges the task's credential down to read.
        using var admin = demo.Server.CreateAdminClient();
        using (var registered = await admin.PostAsJsonAsync("/v1/identities", new { spiffe_id = Summarizer, kind = "agent", owner = "team:support", purpose = "summarises tickets", environment = "demo", ttl_seconds = 86_400 }, Ct))
        {
            Assert.True(registered.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await registered.Content.ReadAsStringAsync(Ct));
        }

        var issuer = demo.Server.Services.GetRequiredService<IKeyRing>().Issuer;
        string Svid(string id) => demo.Server.Services.GetRequiredService<JwtSvidIssuer>().Issue(SpiffeId.Parse(id), [issuer], TimeSpan.FromMinutes(30)).Token;
        using var agent = demo.Server.CreateClient(Svid(Assistant));
        using var opened = await agent.PostAsJsonAsync("/v1/tasks", new
        {
            intent = new { description = "summarise ticket T-1001", actions = new[] { "read", "write" }, resources = new[] { "Ticket::\"T-1001\"" }, sensitivity_ceiling = "medium", delegates = new[] { Summarizer } },
            ttl_seconds = 600,
        }, Ct);
        var openedText = await opened.Content.ReadAsStringAsync(Ct);
        Assert.True(opened.IsSuccessStatusCode, openedText);
        var task = JsonDocument.Parse(openedText).RootElement;
        var taskId = task.GetProperty("task").GetProperty("id").GetString()!;
        var taskToken = task.GetProperty("credential").GetProperty("access_token").GetString()!;

        using var summarizer = demo.Server.CreateClient(Svid(Summarizer));
        using var exchanged = await summarizer.PostAsync(new Uri("/oauth2/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
            ["subject_token"] = taskToken,
            ["subject_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
            ["actor_token"] = Svid(Summarizer),
            ["actor_token_type"] = "urn:ietf:params:oauth:token-type:jwt",
            ["scope"] = "read",
        }), Ct);
        Assert.True(exchanged.IsSuccessStatusCode, await exchanged.Content.ReadAsStringAsync(Ct));

        var credentials = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/v1/tasks/" + Uri.EscapeDataString(taskId), UriKind.Relative), Ct)).RootElement;
        var (rootJti, childJti) = Jtis(credentials);

        await using var browser = await ConsoleBrowser.OpenAsync(chromium, demo.Server);
        await browser.SignInAsync(demo.Server.AdminToken);
        var page = browser.Page;
        foreach (var path in new[] { "/console/tasks/" + Uri.EscapeDataString(taskId), "/console/identity?id=" + Uri.EscapeDataString(Assistant) })
        {
            await page.GotoAsync(path);
            var graph = page.Locator("#delegation-graph svg[role=img]");
            await Assertions.Expect(graph.Locator("title#delegation-graph-title")).ToContainTextAsync("Delegation graph");
            await Assertions.Expect(graph.Locator("desc#delegation-graph-desc")).ToContainTextAsync($"{Assistant} delegated to {Summarizer} with scopes read");

            // This task's delegation: the task credential (held by the assistant) to the exchanged one (the summarizer's), read kept, write dropped.
            var edge = graph.Locator($"g.edge[data-from='{rootJti}'][data-to='{childJti}']");
            await Assertions.Expect(edge).ToHaveCountAsync(1);
            await Assertions.Expect(edge.Locator("text")).ToHaveTextAsync("read");
            Assert.Equal(Assistant, await graph.Locator($"g.node[data-jti='{rootJti}']").GetAttributeAsync("data-holder"));
            Assert.Equal(Summarizer, await graph.Locator($"g.node[data-jti='{childJti}']").GetAttributeAsync("data-holder"));
            var row = page.Locator("#delegation-edges tbody tr", new() { HasText = childJti });
            await Assertions.Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("read");
            await Assertions.Expect(row.Locator("td").Nth(4)).ToHaveTextAsync("write");
        }

        // Only this task's two credentials on the task page.
        await page.GotoAsync("/console/tasks/" + Uri.EscapeDataString(taskId));
        await Assertions.Expect(page.Locator("#delegation-graph g.node")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#delegation-graph g.edge")).ToHaveCountAsync(1);

        // Weight, origin, CSP and accessibility on the new and the live pages.
        foreach (var path in new[] { "/console/tasks/" + Uri.EscapeDataString(taskId), "/console/identity?id=" + Uri.EscapeDataString(Assistant), "/console/tasks", "/console/decisions", "/console/decisions/" + (await LastDecisionAsync(admin, null)).ToString(CultureInfo.InvariantCulture) })
        {
            await ConsolePagesTests.CheckPageAsync(browser, path);
        }

        Assert.Empty(browser.Errors);
        Assert.All(browser.Requests, r => Assert.True(browser.IsSameOrigin(r), "request left the origin: " + r));
    }

    [Fact]
    public async Task LivePaths_ShouldRefuseWithoutTheCookie_AndTheScriptShouldBeTheOnlyOneAllowed()
    {
        using var anonymous = demo.Server.CreateClient(followRedirects: false);
        foreach (var path in new[] { "/console/tasks", "/console/decisions", "/console/decisions?decision=deny", "/console/decisions/1", "/console/tasks?older=1.x" })
        {
            using var refused = await anonymous.GetAsync(new Uri(path, UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
            Assert.Equal("/console", refused.Headers.Location?.AbsolutePath);
            Assert.DoesNotContain("data-live-src", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // A bearer token is not the console's cookie: the live paths answer the API's tokens with the sign-in redirect too.
        using var bearer = demo.Server.CreateClient(demo.Server.AdminToken, followRedirects: false);
        using (var refused = await bearer.GetAsync(new Uri("/console/decisions", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
        }

        // The script is served from the assembly, as JavaScript that is not to be sniffed; the policy allows this
        // origin's script files and fetches and nothing inline or evaluated.
        using var script = await anonymous.GetAsync(new Uri("/console/console.js", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("data-live-src", await script.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var csp = script.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", script.Headers.GetValues("X-Content-Type-Options").Single());

        // Signed in, every role reads (there is no read-less one): an auditor's session gets the live list.
        var auditor = await demo.Server.CreateOperatorTokenAsync("live-auditor", "auditor");
        using var signedIn = demo.Server.CreateClient(followRedirects: false);
        using (var response = await SignInTests.SignInOverHttpAsync(signedIn, auditor))
        {
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        }

        var html = await signedIn.GetStringAsync(new Uri("/console/decisions", UriKind.Relative), Ct);

        // Only the live lists load the script; the other pages send none.
        Assert.DoesNotContain("<script", await signedIn.GetStringAsync(new Uri("/console/policies", UriKind.Relative), Ct), StringComparison.Ordinal);
        using (var notADecision = await signedIn.GetAsync(new Uri("/console/decisions/1", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, notADecision.StatusCode);
            Assert.DoesNotContain("<script", await notADecision.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        Assert.Contains("data-live-src=\"/console/decisions\"", html, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/console/console.js\" defer></script>", html, StringComparison.Ordinal);

        // Disabled, the same cookie gets the redirect on the next poll.
        using (var admin = demo.Server.CreateAdminClient())
        using (var revoke = await admin.PostAsync(new Uri("/v1/operators/live-auditor/disable", UriKind.Relative), null, Ct))
        {
            Assert.True(revoke.IsSuccessStatusCode, await revoke.Content.ReadAsStringAsync(Ct));
        }

        using var afterRevoke = await signedIn.GetAsync(new Uri("/console/decisions", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Found, afterRevoke.StatusCode);
    }

    [Fact]
    public async Task TasksPage_ShouldPagePastTheNewest100_ByKeyset()
    {
        // 103 tasks of the assistant, written straight to the store (opening them over the API would only be slower).
        await using var server = await ConsoleTestServer.StartAsync();
        var opened = new List<string>();
        var now = DateTimeOffset.UtcNow;
        await using (var session = await server.Services.GetRequiredService<IMandateStore>().BeginAsync(StoreIntent.Write, Ct))
        {
            var tasks = session.Get<ITaskRepository>();
            for (var i = 0; i < 103; i++)
            {
                // Three share an opening time across the page boundary: the id orders them, and no page loses or repeats one.
                var id = "task_page_" + i.ToString("D3", CultureInfo.InvariantCulture);
                opened.Add(id);
                await tasks.InsertAsync(new MandateTask
                {
                    Id = id,
                    Subject = Assistant,
                    Intent = new TaskIntent { Description = "paged " + id, Actions = ["read"], Resources = ["Ticket::\"T-1001\""], SensitivityCeiling = DataSensitivity.Medium },
                    Status = MandateTaskStatus.Open,
                    OpenedAt = now.AddSeconds(-(i is 100 or 101 ? 99 : i)),
                    ExpiresAt = now.AddMinutes(10),
                    LeaseLimit = now.AddHours(1),
                }, Ct);
            }

            await session.CommitAsync(Ct);
        }

        using var client = server.CreateClient(followRedirects: false);
        using (var response = await SignInTests.SignInOverHttpAsync(client, server.AdminToken))
        {
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        }

        var first = await client.GetStringAsync(new Uri("/console/tasks?subject=" + Uri.EscapeDataString(Assistant), UriKind.Relative), Ct);
        var firstIds = TaskIds(first);
        Assert.Equal(100, firstIds.Count);
        Assert.Contains("data-live-src=", first, StringComparison.Ordinal);
        var older = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(first, "<a href=\"([^\"]+)\" rel=\"next\">Older tasks</a>").Groups[1].Value);
        Assert.Contains("older=", older, StringComparison.Ordinal);
        var second = await client.GetStringAsync(new Uri(older, UriKind.Relative), Ct);
        var secondIds = TaskIds(second);
        Assert.Equal(3, secondIds.Count);
        Assert.Empty(firstIds.Intersect(secondIds));
        Assert.Equal(opened.Order(StringComparer.Ordinal), firstIds.Concat(secondIds).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("data-live-src=", second, StringComparison.Ordinal);
        Assert.DoesNotContain("rel=\"next\"", second, StringComparison.Ordinal);

        // Back to the newer page from the older one: the newest page again (and live).
        var newer = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(second, "<a href=\"([^\"]+)\" rel=\"prev\">Newer tasks</a>").Groups[1].Value);
        var back = await client.GetStringAsync(new Uri(newer, UriKind.Relative), Ct);
        Assert.Equal(firstIds, TaskIds(back));
        Assert.Contains("data-live-src=", back, StringComparison.Ordinal);

        using var bad = await client.GetAsync(new Uri("/console/tasks?older=nope", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static List<string> TaskIds(string html) =>
        System.Text.RegularExpressions.Regex.Matches(html, "<td class=\"mono\"><a href=\"/console/tasks/([^\"]+)\">").Select(m => Uri.UnescapeDataString(m.Groups[1].Value)).ToList();

    private static async Task<List<JsonElement>> DecisionEventsAsync(HttpClient admin, string? taskId)
    {
        var query = "/v1/audit/events?type=decision&limit=1000" + (taskId is null ? "" : "&task=" + Uri.EscapeDataString(taskId));
        var events = JsonDocument.Parse(await admin.GetStringAsync(new Uri(query, UriKind.Relative), Ct)).RootElement.GetProperty("events");
        var list = events.EnumerateArray().Select(e => e.Clone()).ToList();
        Assert.NotEmpty(list);
        return list;
    }

    private static async Task<long> LastDecisionAsync(HttpClient admin, string? taskId) =>
        (await DecisionEventsAsync(admin, taskId))[^1].GetProperty("seq").GetInt64();

    /// <summary>The task credential's jti and the exchanged one's, from the task API.</summary>
    private static (string Root, string Child) Jtis(JsonElement task)
    {
        var credentials = task.GetProperty("credentials").EnumerateArray().ToList();
        var child = credentials.Single(c => c.TryGetProperty("parent_jti", out var p) && p.ValueKind == JsonValueKind.String);
        return (child.GetProperty("parent_jti").GetString()!, child.GetProperty("jti").GetString()!);
    }
}
