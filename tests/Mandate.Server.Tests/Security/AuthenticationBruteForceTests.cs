using System.Net;
using System.Net.Http.Headers;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Tests.Shared;
using Microsoft.Extensions.Configuration;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// Guessing credentials is rate limited per client network: after the configured number of refused authentications in
/// a window, requests with credentials from that network are refused (429) before any credential is checked; other
/// networks are unaffected.
/// </summary>
public sealed class AuthenticationBruteForceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GuessingAdminTokens_ShouldBeRateLimited_AfterTheConfiguredFailures()
    {
        await using var server = await MandateTestServer.StartAsync(configureBuilder: b =>
        {
            b.Configuration["Mandate:RateLimits:AuthenticationFailures:PermitLimit"] = "5";
            b.Configuration["Mandate:RateLimits:AuthenticationFailures:Window"] = "00:10:00";
        });
        for (var i = 0; i < 5; i++)
        {
            using var guess = new HttpRequestMessage(HttpMethod.Get, "/v1/status");
            guess.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "mdt_guess-" + i + "-aaaaaaaaaaaaaaaaaaaaaaaaaaaa");
            using var refused = await server.Client.SendAsync(guess, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // Even the right token is not checked any more from this network during the window.
        using var admin = server.CreateAdminClient();
        using var limited = await admin.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct);
        await ProblemAssert.ProblemAsync(limited, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.NotNull(limited.Headers.RetryAfter);

        using var other = server.CreateClientFrom(IPAddress.Parse("127.0.0.2"));
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminToken);
        using var fine = await other.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }
}
