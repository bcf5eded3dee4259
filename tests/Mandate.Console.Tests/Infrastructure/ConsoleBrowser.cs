using Microsoft.Playwright;

namespace Mandate.Console.Tests.Infrastructure;

/// <summary>
/// A fresh browser context on one server, as one person would use it: every request it makes is recorded (and any to
/// another origin refused, so a test sees it), every console message of level error and every uncaught page error is
/// kept, and the bytes of every response are added up.
/// </summary>
internal sealed class ConsoleBrowser : IAsyncDisposable
{
    private readonly List<string> requests = [];
    private readonly List<string> errors = [];
    private readonly List<Uri> allowed = [];

    private ConsoleBrowser(IBrowserContext context, IPage page, Uri origin)
    {
        Context = context;
        Page = page;
        Origin = origin;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public Uri Origin { get; }

    /// <summary>Every URL requested so far.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (requests)
            {
                return [.. requests];
            }
        }
    }

    /// <summary>Console errors and page errors so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (errors)
            {
                return [.. errors];
            }
        }
    }

    public static async Task<ConsoleBrowser> OpenAsync(Chromium chromium, ConsoleTestServer server)
    {
        var browser = chromium.Require();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.Address.ToString(), JavaScriptEnabled = true });
        // Generous: the suite shares two cores with everything else a CI run does; a wait that passes is not slowed by it.
        context.SetDefaultTimeout(45_000);
        var page = await context.NewPageAsync();
        var session = new ConsoleBrowser(context, page, server.Address);
        await context.RouteAsync("**/*", async route =>
        {
            var url = route.Request.Url;
            lock (session.requests)
            {
                session.requests.Add(url);
            }

            if (session.IsSameOrigin(url) || session.IsAllowed(url))
            {
                await route.ContinueAsync();
            }
            else
            {
                await route.AbortAsync("blockedbyclient");
            }
        });
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (session.errors)
                {
                    session.errors.Add("console: " + message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (session.errors)
            {
                session.errors.Add("page: " + error);
            }
        };
        return session;
    }

    /// <summary>Lets the browser reach <paramref name="origin"/> too (an identity provider the test runs).</summary>
    public void Allow(Uri origin)
    {
        lock (allowed)
        {
            allowed.Add(origin);
        }
    }

    private bool IsAllowed(string url)
    {
        lock (allowed)
        {
            return Uri.TryCreate(url, UriKind.Absolute, out var uri) && allowed.Any(o => o.Scheme == uri.Scheme && o.Host == uri.Host && o.Port == uri.Port);
        }
    }

    public bool IsSameOrigin(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && uri.Scheme == Origin.Scheme && uri.Host == Origin.Host && uri.Port == Origin.Port;

    /// <summary>Opens the console and signs in with <paramref name="token"/>, landing on the overview.</summary>
    public async Task SignInAsync(string token)
    {
        await Page.GotoAsync("/console");
        await Page.GetByLabel("Token").FillAsync(token);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        // The sign-in form posts to /console and lands on /console: wait for the signed-in page, not for a URL.
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
