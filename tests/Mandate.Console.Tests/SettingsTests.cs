using Mandate.Console.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mandate.Console.Tests;

/// <summary>The console's settings are validated at start, and the console can be turned off.</summary>
public sealed class SettingsTests(DemoServer demo) : IClassFixture<DemoServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("00:00:30")]
    [InlineData("8.00:00:00")]
    public async Task SessionLifetime_OutsideItsRange_ShouldStopTheServer_NamingTheSetting(string lifetime)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = await ConsoleTestServer.StartAsync(b => b.Configuration["Mandate:Console:SessionLifetime"] = lifetime);
        });
        var messages = string.Join(" | ", Flatten(failure).Select(e => e.Message));
        Assert.Contains("Mandate:Console:SessionLifetime", messages, StringComparison.Ordinal);
        Assert.Contains(Flatten(failure), e => e is OptionsValidationException);
    }

    [Fact]
    public async Task Session_ShouldEnd_WhenItsLifetimeHasPassed()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await ConsoleTestServer.StartAsync(b =>
        {
            b.Configuration["Mandate:Console:SessionLifetime"] = "00:10:00";
            b.Services.AddSingleton<TimeProvider>(clock);
        });
        using var client = server.CreateClient(followRedirects: false);
        using (var signedIn = await SignInTests.SignInOverHttpAsync(client, server.AdminToken))
        {
            Assert.Equal(System.Net.HttpStatusCode.Found, signedIn.StatusCode);
        }

        clock.Advance(TimeSpan.FromMinutes(9));
        using (var within = await client.GetAsync(new Uri("/console/identities", UriKind.Relative), Ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, within.StatusCode);
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        using var after = await client.GetAsync(new Uri("/console/identities", UriKind.Relative), Ct);
        Assert.Equal(System.Net.HttpStatusCode.Found, after.StatusCode);
        Assert.Equal("/console", after.Headers.Location?.OriginalString.TrimEnd('/').Replace(server.Address.ToString().TrimEnd('/'), "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disabled_ShouldServeNoConsole_AndLeaveTheApiAlone()
    {
        await using var server = await ConsoleTestServer.StartAsync(b => b.Configuration["Mandate:Console:Enabled"] = "false");
        using var client = server.CreateClient();
        using var console = await client.GetAsync(new Uri("/console", UriKind.Relative), Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, console.StatusCode);
        using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative), Ct);
        Assert.True(health.IsSuccessStatusCode);
    }

    [Fact]
    public async Task ApiAnswers_ShouldCarryNoneOfTheConsoleHeaders()
    {
        // The console's branch runs only under /console: the decision path and the API keep their own headers.
        using var client = demo.Server.CreateClient();
        using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative), Ct);
        Assert.False(health.Headers.Contains("Content-Security-Policy"));
        using var console = await client.GetAsync(new Uri("/CONSOLE", UriKind.Relative), Ct);
        Assert.True(console.Headers.Contains("Content-Security-Policy"), "a differently cased path must get the console's headers too");
    }

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
