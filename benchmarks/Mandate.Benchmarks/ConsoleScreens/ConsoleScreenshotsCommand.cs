using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Mandate.Benchmarks.ConsoleScreens;

/// <summary>
/// <c>benchmarks/bench console-screenshots DIR</c>: starts a demo server on loopback (its own temporary state), signs in
/// to the console with its admin token in Debian's chromium (<c>MANDATE_TEST_CHROMIUM</c> or <c>/usr/bin/chromium</c>,
/// driven by Playwright; nothing is downloaded), and writes a 1280x800 PNG to DIR of the sign-in page, the overview and
/// every page the navigation bar links. So that the task and
/// decision pages have something to show, the demo's support assistant first opens a task with its own SVID and
/// the task's credential is decided on twice (allowed, and denied for a ticket outside the task). The task and
/// decision pages are the first ones their lists link to; a list with none is said and skipped.
/// </summary>
internal static class ConsoleScreenshotsCommand
{
    private const int Width = 1280;
    private const int Height = 800;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length != 1)
        {
            await error.WriteLineAsync("usage: benchmarks/bench console-screenshots DIR");
            return 2;
        }

        var directory = Path.GetFullPath(args[0]);
        Directory.CreateDirectory(directory);
        var chromium = Environment.GetEnvironmentVariable("MANDATE_TEST_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            await error.WriteLineAsync($"console-screenshots: no chromium at {chromium} (apt-get install chromium, or set MANDATE_TEST_CHROMIUM)");
            return 1;
        }

        var state = Path.Combine(Path.GetTempPath(), "mandate-console-screenshots-" + Guid.NewGuid().ToString("N"));
        var options = new MandateServerOptions { Urls = "http://127.0.0.1:0", StateDirectory = state, Demo = true };
        var app = await MandateServer.CreateAsync(options, b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        try
        {
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
            var adminToken = (await File.ReadAllTextAsync(options.AdminTokenPath)).Trim();
            await SeedAsync(app.Services, new Uri(address + "/"), adminToken);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-dev-shm-usage"],
            });
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = address,
                ViewportSize = new ViewportSize { Width = Width, Height = Height },
            });
            var page = await context.NewPageAsync();

            await page.GotoAsync("/console");
            await ShootAsync(page, directory, "sign-in", output);
            await page.GetByLabel("Token").FillAsync(adminToken);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 }).WaitForAsync();
            await ShootAsync(page, directory, "overview", output);

            // Every page the navigation bar links (so a page added to the console is shot without changing this),
            // named after its address: /console/identities -> identities.png.
            var pages = new List<string>();
            foreach (var href in await page.Locator("header.bar nav a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"))
            {
                if (href.StartsWith("/console/", StringComparison.Ordinal) && !pages.Contains(href))
                {
                    pages.Add(href);
                }
            }

            foreach (var path in pages)
            {
                var name = path["/console/".Length..].Replace('/', '-');
                await page.GotoAsync(path);
                await ShootAsync(page, directory, name, output);
                if (name is "identities" or "tasks" or "decisions")
                {
                    var prefix = name switch { "identities" => "/console/identity?", "tasks" => "/console/tasks/", _ => "/console/decisions/" };
                    var link = page.Locator($"main a[href^=\"{prefix}\"]").First;
                    if (await link.CountAsync() == 0)
                    {
                        await output.WriteLineAsync($"console-screenshots: the {name} page links to no {name[..^1]} page; skipped");
                        continue;
                    }

                    await page.GotoAsync(await link.GetAttributeAsync("href") ?? path);
                    await ShootAsync(page, directory, name switch { "identities" => "identity", "tasks" => "task", _ => "decision" }, output);
                }
            }

            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            try
            {
                Directory.Delete(state, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private const string Assistant = "spiffe://demo.mandate.local/agent/support-assistant";

    /// <summary>A task of the demo's assistant, and two decisions on its credential (one allowed, one denied).</summary>
    private static async Task SeedAsync(IServiceProvider services, Uri address, string adminToken)
    {
        var issuer = services.GetRequiredService<IKeyRing>().Issuer;
        var svid = services.GetRequiredService<JwtSvidIssuer>().Issue(SpiffeId.Parse(Assistant), [issuer], TimeSpan.FromMinutes(30)).Token;
        using var agent = new HttpClient { BaseAddress = address };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", svid);
        using var opened = await agent.PostAsJsonAsync("/v1/tasks", new
        {
            intent = new { description = "answer ticket T-1001", actions = new[] { "read" }, resources = new[] { "Ticket::\"T-1001\"" }, sensitivity_ceiling = "medium" },
            ttl_seconds = 600,
        });
        var text = await opened.Content.ReadAsStringAsync();
        if (!opened.IsSuccessStatusCode)
        {
            throw new InvalidOperationException("The demo assistant could not open a task: " + text);
        }

        var credential = JsonDocument.Parse(text).RootElement.GetProperty("credential").GetProperty("access_token").GetString();
        using var admin = new HttpClient { BaseAddress = address };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        foreach (var ticket in new[] { "T-1001", "T-2002" })
        {
            using var decided = await admin.PostAsJsonAsync("/access/v1/evaluation", new
            {
                subject = new { type = "Workload", id = Assistant },
                action = new { name = "read" },
                resource = new { type = "Ticket", id = ticket },
                context = new { credential },
            });
            if (!decided.IsSuccessStatusCode)
            {
                throw new InvalidOperationException("The decision was not taken: " + await decided.Content.ReadAsStringAsync());
            }
        }
    }

    /// <summary>The viewport (not the whole page): the top of each page at 1280x800, a few tens of kilobytes.</summary>
    private static async Task ShootAsync(IPage page, string directory, string name, TextWriter output)
    {
        var file = Path.Combine(directory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = false, Animations = ScreenshotAnimations.Disabled });
        await output.WriteLineAsync($"{file} ({new FileInfo(file).Length / 1024} KB)");
    }
}
