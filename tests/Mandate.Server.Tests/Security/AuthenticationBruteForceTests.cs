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

    [Fact]
    public async Task GuessesNotShapedLikeAdminTokens_ShouldBeRefused_AndCountAsFailures_Too()
    {
        // The admin handler does not hash a bearer without the operator or bootstrap prefix; it is still a refusal,
        // still named in the problem, and still counted by the brute-force brake.
        await using var server = await MandateTestServer.StartAsync(configureBuilder: b =>
        {
            b.Configuration["Mandate:RateLimits:AuthenticationFailures:PermitLimit"] = "3";
            b.Configuration["Mandate:RateLimits:AuthenticationFailures:Window"] = "00:10:00";
        });
        foreach (var (token, reason) in new[]
        {
            ("guess-without-any-prefix-aaaaaaaaaaaaaaaaaaaa", "neither an operator token nor the admin token"),
            ("mpt_a-pep-credential-guess-aaaaaaaaaaaaaaaaaaaa", "a PEP credential opens only the decision point"),
            ("eyJhbGciOiJFUzI1NiJ9.e30.c2lnbmF0dXJl", "neither an operator token nor the admin token"),
        })
        {
            using var guess = new HttpRequestMessage(HttpMethod.Get, "/v1/status");
            guess.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var refused = await server.Client.SendAsync(guess, Ct);
            var problem = await ProblemAssert.ProblemAsync(refused, HttpStatusCode.Unauthorized, "unauthenticated");
            Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using var admin = server.CreateAdminClient();
        using var limited = await admin.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct);
        await ProblemAssert.ProblemAsync(limited, HttpStatusCode.TooManyRequests, "rate-limited");
    }
}
