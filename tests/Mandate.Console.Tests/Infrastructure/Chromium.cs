using Microsoft.Playwright;

namespace Mandate.Console.Tests.Infrastructure;

/// <summary>
/// One headless Debian chromium for the whole assembly, driven by Playwright: the executable is
/// <c>MANDATE_TEST_CHROMIUM</c> (test.sh sets it) or <c>/usr/bin/chromium</c>; no browser is ever downloaded. Where
/// none is installed the console tests are skipped, except under <c>CI=true</c>, where that is a failure.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private IPlaywright? playwright;

    internal IBrowser? Browser { get; private set; }

    internal string? Missing { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var path = Environment.GetEnvironmentVariable("MANDATE_TEST_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(path))
        {
            Missing = $"chromium is not installed at {path} (apt-get install chromium, or set MANDATE_TEST_CHROMIUM)";
            return;
        }

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            // Root in a container has no user namespace for the sandbox; the pages are our own, on loopback.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
            Timeout = 60_000,
        });
    }

    /// <summary>The browser, or skips the test (fails it under CI=true) when chromium is not installed.</summary>
    internal IBrowser Require()
    {
        if (Browser is not null)
        {
            return Browser;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("The console tests must run under CI: " + Missing);
        }

        Assert.Skip(Missing ?? "chromium is not available");
        return null!;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
    }
}
