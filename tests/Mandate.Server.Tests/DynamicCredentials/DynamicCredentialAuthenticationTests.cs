using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Tasks;
using Mandate.Tests.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.DynamicCredentials;

/// <summary>
/// <c>POST /v1/tasks/{id}/dynamic-credentials</c> checks the task credential itself (no authentication scheme does), so
/// it must audit and count refused credentials as the schemes do: a bad token is a 401 problem, a
/// <c>dynamic_credential.authentication_failed</c> record without the token, and a failure against the client
/// network's limit, after which even the genuine task credential is refused (429) from that network.
/// </summary>
public sealed class DynamicCredentialAuthenticationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RefusedTaskCredentials_ShouldBeAudited_WithoutTheToken_AndCountAgainstTheFailureLimit()
    {
        await using var estate = await TaskEstate.StartAsync(configureBuilder: b =>
        {
            b.Configuration["Mandate:RateLimits:AuthenticationFailures:PermitLimit"] = "3";
            b.Configuration["Mandate:RateLimits:AuthenticationFailures:Window"] = "00:10:00";
        });
        var (taskId, token, _) = await estate.OpenAsync();

        // A forged task credential (the genuine one with its signature changed), a workload's SVID-shaped guess, garbage.
        var guesses = new[] { token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA"), "eyJhbGciOiJFUzI1NiJ9.e30.c2lnbmF0dXJl", "not-a-token-at-all-guess" };
        foreach (var guess in guesses)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/tasks/{taskId}/dynamic-credentials") { Content = JsonContent.Create(new { engine = "orders-db" }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", guess);
            using var refused = await estate.Server.Client.SendAsync(request, Ct);
            await ProblemAssert.ProblemAsync(refused, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        // Audited (through the batched writer, so it is waited for), each record without the token it refused.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<string> failures;
        while ((failures = await FailuresAsync(estate)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no dynamic_credential.authentication_failed record was written");
            await Task.Delay(50, Ct);
        }

        Assert.All(failures, f => Assert.Contains($"/v1/tasks/{taskId}/dynamic-credentials", f, StringComparison.Ordinal));
        foreach (var guess in guesses)
        {
            Assert.DoesNotContain(failures, f => f.Contains(guess, StringComparison.Ordinal));
        }

        // The limit is used up: the genuine task credential is not even checked from this network.
        using var agent = new HttpClient { BaseAddress = estate.Server.Address };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var limited = await agent.PostAsJsonAsync($"/v1/tasks/{taskId}/dynamic-credentials", new { engine = "orders-db" }, Ct))
        {
            await ProblemAssert.ProblemAsync(limited, HttpStatusCode.TooManyRequests, "rate-limited");
        }

        // Another network is not braked: the credential is checked and the request gets as far as the engine (none here).
        using var other = estate.Server.CreateClientFrom(IPAddress.Parse("127.0.0.2"));
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var passed = await other.PostAsJsonAsync($"/v1/tasks/{taskId}/dynamic-credentials", new { engine = "orders-db" }, Ct);
        await ProblemAssert.ProblemAsync(passed, HttpStatusCode.NotFound, "dynamic-credential-engine-not-found");
    }

    private static async Task<List<string>> FailuresAsync(TaskEstate estate)
    {
        var store = estate.Server.Services.GetRequiredService<IMandateStore>();
        var found = new List<string>();
        await using var session = await store.BeginAsync(StoreIntent.Read, Ct);
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, Ct))
        {
            if (record.CanonicalJson.Contains("\"dynamic_credential.authentication_failed", StringComparison.Ordinal))
            {
                found.Add(record.CanonicalJson);
            }
        }

        return found;
    }
}
