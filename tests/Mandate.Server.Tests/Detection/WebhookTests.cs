using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Mandate.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Detection;

/// <summary>One server for the webhook tests (each test adds endpoints of its own and waits for their messages only).</summary>
public sealed class WebhookFixture : IAsyncLifetime
{
    internal TaskEstate Estate { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Estate = await TaskEstate.StartAsync(configureBuilder: builder =>
    {
        builder.Configuration["Mandate:Signals:MaxAttempts"] = "3";
        builder.Configuration["Mandate:Signals:InitialBackoff"] = "00:00:00.050";
        builder.Configuration["Mandate:Signals:MaxBackoff"] = "00:00:01";
        builder.Configuration["Mandate:Signals:Timeout"] = "00:00:05";
    });

    public async ValueTask DisposeAsync() => await Estate.DisposeAsync();
}

/// <summary>
/// Signed webhooks over real HTTP to a loopback receiver that checks every signature itself, as the Standard Webhooks
/// specification describes it (not with Mandate's signer): delivery of alerts, retries with backoff, the dead-letter
/// list and redelivery, and the secret shown once and kept out of the ledger.
/// </summary>
public sealed class WebhookTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TaskEstate Estate => fixture.Estate;

    [Fact]
    public async Task AlertRaised_ShouldBeDeliveredSignedPerStandardWebhooks_AndTheSecretShouldNeverReachTheLedger()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var (id, secret) = await AddAsync(new Uri(receiver.Address, "hooks/alerts?token=receiver-side-token").ToString(), ["alert.raised"]);
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);

        using (var list = await Estate.Admin.GetAsync("/v1/webhooks", Ct))
        {
            var text = await list.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            var mine = JsonDocument.Parse(text).RootElement.GetProperty("webhooks").EnumerateArray().Single(w => w.GetProperty("id").GetString() == id);
            Assert.False(mine.TryGetProperty("secret", out _));
            Assert.DoesNotContain("receiver-side-token", text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret["whsec_".Length..], text, StringComparison.Ordinal);
        }

        // The attack: a revoked task credential presented again.
        var agent = await Estate.NewIdentityAsync("webhook-reuse");
        var (_, token, jti) = await Estate.TaskForAsync(agent);
        await Estate.RevokeAsync(jti);
        Assert.False((await Estate.DecideAsync(agent, "read", "Ticket", "T-1", token)).Decision);

        var request = await receiver.NextAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hooks/alerts?token=receiver-side-token", request.Path);
        Assert.StartsWith("application/json", request.Headers["content-type"], StringComparison.Ordinal);
        AssertSignedPerSpec(request, secret);
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("alert.raised", body.GetProperty("type").GetString());
        var alert = body.GetProperty("data");
        Assert.Equal("credential_reuse", alert.GetProperty("rule").GetString());
        Assert.Equal(agent, alert.GetProperty("identity").GetString());
        Assert.StartsWith("alt_", alert.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.NotEmpty(alert.GetProperty("evidence").EnumerateArray());

        // The alert as the alerts API shows it.
        var listed = Assert.Single(await Estate.AlertsAsync("credential_reuse", agent));
        foreach (var member in new[] { "id", "seq", "rule", "severity", "identity", "time", "summary", "evidence", "task_id" })
        {
            Assert.Equal(listed.GetProperty(member).GetRawText(), alert.GetProperty(member).GetRawText());
        }

        // A tampered body or another secret does not verify: the check above can fail.
        Assert.False(StandardWebhooks.Verifies(request with { Body = request.Body + " " }, secret));
        Assert.False(StandardWebhooks.Verifies(request, "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));

        // The secret is in no ledger record; the ledger names the endpoint and its URL without the query.
        var store = Estate.Server.Services.GetRequiredService<IMandateStore>();
        var added = false;
        await using (var session = await store.BeginAsync(StoreIntent.Read, Ct))
        {
            await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, Ct))
            {
                Assert.DoesNotContain(secret["whsec_".Length..], record.CanonicalJson, StringComparison.Ordinal);
                Assert.DoesNotContain("receiver-side-token", record.CanonicalJson, StringComparison.Ordinal);
                added |= record.CanonicalJson.Contains("\"webhook.added\"", StringComparison.Ordinal) && record.CanonicalJson.Contains(id, StringComparison.Ordinal);
            }
        }

        Assert.True(added);
        await RemoveAsync(id);
    }

    [Fact]
    public async Task FailingReceiver_ShouldBeRetriedWithBackoff_ThenDeadLettered_AndRedeliveredOnRequest()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Answer = _ => (500, null);
        var (id, secret) = await AddAsync(new Uri(receiver.Address, "flaky").ToString(), ["credential.revoked"]);
        var agent = await Estate.NewIdentityAsync("webhook-flaky");
        var (_, _, jti) = await Estate.TaskForAsync(agent);
        await Estate.RevokeAsync(jti);

        var attempts = new List<ReceivedRequest>();
        for (var i = 0; i < 3; i++)
        {
            attempts.Add(await NextWhileTimePassesAsync(receiver));
        }

        Assert.All(attempts, a => AssertSignedPerSpec(a, secret));
        var messageId = attempts[0].Headers["webhook-id"];
        Assert.All(attempts, a => Assert.Equal(messageId, a.Headers["webhook-id"]));
        Assert.Contains(jti, attempts[0].Body, StringComparison.Ordinal);

        // Three attempts (Mandate:Signals:MaxAttempts): then the dead-letter list, and no fourth attempt.
        var dead = await WaitForDeadLetterAsync(id, messageId);
        Assert.Equal(3, dead.GetProperty("attempts").GetInt32());
        Assert.Equal(500, dead.GetProperty("last_status").GetInt32());
        Assert.Equal("credential.revoked", dead.GetProperty("type").GetString());
        Estate.Clock.Advance(TimeSpan.FromMinutes(5));
        await AssertNotDeliveredAgainAsync(receiver, messageId, TimeSpan.FromMilliseconds(500));

        // The receiver is fixed; the operator redelivers the message: same id, freshly signed, delivered once.
        receiver.Answer = _ => (204, null);
        using (var redeliver = await Estate.Admin.PostAsync($"/v1/webhooks/messages/{messageId}/redeliver", null, Ct))
        {
            var text = await redeliver.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.OK, redeliver.StatusCode);
            Assert.Contains(messageId, text, StringComparison.Ordinal);
        }

        var again = await receiver.NextAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(messageId, again.Headers["webhook-id"]);
        AssertSignedPerSpec(again, secret);
        Assert.Equal(attempts[0].Body, again.Body);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await DeadLettersAsync(id)).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The redelivered message stayed in the dead-letter list.");
            await Task.Delay(50, Ct);
        }

        Estate.Clock.Advance(TimeSpan.FromMinutes(5));
        await AssertNotDeliveredAgainAsync(receiver, messageId, TimeSpan.FromMilliseconds(300));
        await RemoveAsync(id);
    }

    /// <summary>
    /// No request carries <paramref name="messageId"/> within <paramref name="wait"/>. Messages of their own may arrive
    /// meanwhile: advancing the shared clock can end the estate's tasks, whose credentials are then revoked, and this
    /// webhook subscribes to credential.revoked.
    /// </summary>
    private static async Task AssertNotDeliveredAgainAsync(LoopbackReceiver receiver, string messageId, TimeSpan wait)
    {
        var until = DateTime.UtcNow + wait;
        while (until - DateTime.UtcNow is { } left && left > TimeSpan.Zero && await receiver.AnyWithinAsync(left))
        {
            var next = await receiver.NextAsync();
            Assert.True(
                !next.Headers.TryGetValue("webhook-id", out var id) || id != messageId,
                $"Message {messageId} was delivered again: {next.Body}");
        }
    }

    [Fact]
    public async Task GoneReceiver_ShouldDeadLetterAtOnce()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Answer = _ => (410, null);
        var (id, _) = await AddAsync(new Uri(receiver.Address, "gone").ToString(), ["credential.revoked"]);
        var agent = await Estate.NewIdentityAsync("webhook-gone");
        var (_, _, jti) = await Estate.TaskForAsync(agent);
        await Estate.RevokeAsync(jti);
        var first = await receiver.NextAsync(TimeSpan.FromSeconds(20));
        var dead = await WaitForDeadLetterAsync(id, first.Headers["webhook-id"]);
        Assert.Equal(1, dead.GetProperty("attempts").GetInt32());
        Assert.Equal(410, dead.GetProperty("last_status").GetInt32());
        await RemoveAsync(id);
    }

    [Theory]
    [InlineData("""{"url":"ftp://127.0.0.1/hooks"}""")]
    [InlineData("""{"url":"file:///etc/passwd"}""")]
    [InlineData("""{"url":"http://user:password@127.0.0.1/hooks"}""")]
    [InlineData("""{"url":"/relative"}""")]
    [InlineData("""{"url":"http://127.0.0.1/hooks","events":["alert.exploded"]}""")]
    [InlineData("""{"events":["alert.raised"]}""")]
    public async Task Add_ShouldRefuseWhatIsNotAnHttpEndpoint(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Estate.Admin.PostAsync("/v1/webhooks", content, Ct);
        await ProblemAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "invalid-webhook");
    }

    [Fact]
    public async Task Endpoints_ShouldAuthenticateAndAnswerProblemsForUnknownIds()
    {
        using var anonymous = new HttpClient { BaseAddress = Estate.Server.Address };
        using (var response = await anonymous.PostAsJsonAsync("/v1/webhooks", new { url = "http://127.0.0.1:9/x" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var response = await anonymous.GetAsync("/v1/webhooks/dead-letters", Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var response = await Estate.Admin.DeleteAsync("/v1/webhooks/wh_nothing", Ct))
        {
            await ProblemAssert.ProblemAsync(response, HttpStatusCode.NotFound, "webhook-not-found");
        }

        using (var response = await Estate.Admin.PostAsync("/v1/webhooks/messages/msg_nothing/redeliver", null, Ct))
        {
            await ProblemAssert.ProblemAsync(response, HttpStatusCode.NotFound, "webhook-not-found");
        }

        using (var response = await Estate.Admin.GetAsync("/v1/webhooks/dead-letters?limit=0", Ct))
        {
            await ProblemAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "invalid-webhook");
        }
    }

    /// <summary>
    /// The receiver's next request while the server's (manual) clock moves on a second every 100 ms, so retries fall
    /// due whenever the dispatcher scheduled them.
    /// </summary>
    private async Task<ReceivedRequest> NextWhileTimePassesAsync(LoopbackReceiver receiver)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await receiver.AnyWithinAsync(TimeSpan.FromMilliseconds(100)))
        {
            Assert.True(DateTime.UtcNow < deadline, "The loopback receiver got no retry within 20 s.");
            Estate.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        return await receiver.NextAsync();
    }

    /// <summary>The receiver's check, written from the specification: HMAC-SHA256 under the base64-decoded secret of "id.timestamp.body".</summary>
    private void AssertSignedPerSpec(ReceivedRequest request, string secret)
    {
        // The spec's replay window (5 minutes), against the server's clock (tests move it by hand).
        var timestamp = long.Parse(request.Headers["webhook-timestamp"], System.Globalization.CultureInfo.InvariantCulture);
        var now = Estate.Clock.GetUtcNow();
        Assert.InRange(DateTimeOffset.FromUnixTimeSeconds(timestamp), now.AddMinutes(-5), now.AddMinutes(5));
        Assert.StartsWith("msg_", request.Headers["webhook-id"], StringComparison.Ordinal);
        Assert.True(StandardWebhooks.Verifies(request, secret), "The webhook-signature header does not verify.");
    }

    private async Task<(string Id, string Secret)> AddAsync(string url, string[] events)
    {
        using var response = await Estate.Admin.PostAsJsonAsync("/v1/webhooks", new { url, events, description = "test receiver" }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var body = JsonDocument.Parse(text).RootElement;
        return (body.GetProperty("id").GetString()!, body.GetProperty("secret").GetString()!);
    }

    private async Task RemoveAsync(string id)
    {
        using var response = await Estate.Admin.DeleteAsync($"/v1/webhooks/{id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private async Task<List<JsonElement>> DeadLettersAsync(string webhook)
    {
        using var response = await Estate.Admin.GetAsync($"/v1/webhooks/dead-letters?webhook={webhook}", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. JsonDocument.Parse(text).RootElement.GetProperty("messages").EnumerateArray().Select(m => m.Clone())];
    }

    private async Task<JsonElement> WaitForDeadLetterAsync(string webhook, string messageId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            if ((await DeadLettersAsync(webhook)).FirstOrDefault(m => m.GetProperty("id").GetString() == messageId) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Message {messageId} did not reach the dead-letter list.");
            await Task.Delay(50, Ct);
        }
    }
}
