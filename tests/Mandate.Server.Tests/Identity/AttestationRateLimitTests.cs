using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Identity;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Tests.Identity;

/// <summary>
/// The anonymous attestation endpoints are rate limited per endpoint and client address with ASP.NET Core's rate
/// limiter; refusals are 429 problem details with Retry-After, counted, and logged and audited once per window.
/// </summary>
public sealed class AttestationRateLimitTests : IAsyncDisposable
{
    private readonly CapturedLogs logs = new();
    private readonly List<MandateTestServer> servers = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }

        logs.Dispose();
    }

    private async Task<MandateTestServer> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var server = await MandateTestServer.StartAsync(configureBuilder: b =>
        {
            b.Logging.AddProvider(logs);
            if (settings is not null)
            {
                b.Configuration.AddInMemoryCollection(settings);
            }
        });
        servers.Add(server);
        return server;
    }

    private static Dictionary<string, string?> Limit(int permits, string window = "00:10:00") => new()
    {
        ["Mandate:Identity:AttestationRateLimit:PermitLimit"] = permits.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mandate:Identity:AttestationRateLimit:Window"] = window,
    };

    /// <summary>A well-formed join token nobody created: answered join-token-invalid (401) while under the limit.</summary>
    private static string UnknownJoinToken() => "mjt_" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");

    private static Task<HttpResponseMessage> JoinAsync(HttpClient client, string? token = null) =>
        client.PostAsJsonAsync("/v1/attest/join", new { token = token ?? UnknownJoinToken() }, TestContext.Current.CancellationToken);

    private static Task<HttpResponseMessage> AttestOidcAsync(HttpClient client) =>
        client.PostAsJsonAsync("/v1/attest/oidc", new { token = "e30.e30.e30" }, TestContext.Current.CancellationToken);

    private static async Task<JsonElement> AssertRateLimitedAsync(HttpResponseMessage response, int maxRetryAfterSeconds)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("https://mandate.dev/problems/rate-limited", problem.GetProperty("type").GetString());
        Assert.Equal("rate-limited", problem.GetProperty("code").GetString());
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("request_id").GetString()));
        var retryAfter = Assert.Single(response.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, maxRetryAfterSeconds);
        return problem;
    }

    [Fact]
    public async Task ExceedingTheLimit_ShouldAnswer429ProblemDetails_WithRetryAfter_CountedAndRecordedOnce()
    {
        var server = await StartAsync(Limit(3));
        var meters = server.Services.GetRequiredService<IMeterFactory>();
        long counted = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == AttestationRateLimitRefusals.MetricName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            Assert.Contains(tags.ToArray(), t => t.Key == "endpoint" && (string?)t.Value == "attest_join");
            Interlocked.Add(ref counted, value);
        });
        listener.Start();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await JoinAsync(server.Client)).StatusCode);
        }

        var secrets = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var token = UnknownJoinToken();
            secrets.Add(token);
            var problem = await AssertRateLimitedAsync(await JoinAsync(server.Client, token), 600);
            Assert.DoesNotContain(token, problem.GetRawText(), StringComparison.Ordinal);
        }

        Assert.Equal(3, Interlocked.Read(ref counted));

        // One log line and one audit event for the three refusals in this window; never a token.
        var lines = logs.Entries.Where(e => e.EventId.Id == 5030).ToList();
        var line = Assert.Single(lines);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("attest_join", line.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", line.Message, StringComparison.Ordinal);
        Assert.All(logs.Entries, e => Assert.DoesNotContain("mjt_", e.Message, StringComparison.Ordinal));
        var audited = (await IdentityAudit.EventsAsync(server, "identity.request_rejected")).Where(e => e.GetProperty("reason").GetString() == "rate-limited").ToList();
        var refusal = Assert.Single(audited);
        Assert.Equal("attest_join", refusal.GetProperty("action").GetString());
        Assert.Equal("127.0.0.1", refusal.GetProperty("actor").GetString());
        var ledger = await IdentityAudit.AllTextAsync(server);
        Assert.All(secrets, s => Assert.DoesNotContain(s, ledger, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OtherClients_AndOtherEndpoints_ShouldBeUnaffected()
    {
        var server = await StartAsync(Limit(2));
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await JoinAsync(server.Client)).StatusCode);
        }

        await AssertRateLimitedAsync(await JoinAsync(server.Client), 600);

        // Another client address has its own budget on the same endpoint.
        using var other = server.CreateClientFrom(IPAddress.Parse("127.0.0.2"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await JoinAsync(other)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await JoinAsync(other)).StatusCode);
        await AssertRateLimitedAsync(await JoinAsync(other), 600);

        // The same client has its own budget on the other attestation endpoint.
        Assert.Equal(HttpStatusCode.Unauthorized, (await AttestOidcAsync(server.Client)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await AttestOidcAsync(server.Client)).StatusCode);
        await AssertRateLimitedAsync(await AttestOidcAsync(server.Client), 600);

        // Endpoints outside attestation are not limited.
        using var admin = server.CreateAdminClient();
        for (var i = 0; i < 5; i++)
        {
            var created = await admin.PostAsJsonAsync("/v1/attest/join-tokens", new { spiffe_id = "spiffe://demo.mandate.local/nobody" }, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, created.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync(new Uri("/.well-known/jwks.json", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
        }

        // None of that gave the limited client a new budget.
        await AssertRateLimitedAsync(await JoinAsync(server.Client), 600);
    }

    [Fact]
    public async Task Defaults_ShouldAllowSixtyRequestsPerMinute()
    {
        var server = await StartAsync();
        var options = server.Services.GetRequiredService<IOptions<AttestationRateLimitOptions>>().Value;
        Assert.Equal((true, 60, TimeSpan.FromMinutes(1), 0), (options.Enabled, options.PermitLimit, options.Window, options.QueueLimit));
        for (var i = 0; i < 60; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await JoinAsync(server.Client)).StatusCode);
        }

        await AssertRateLimitedAsync(await JoinAsync(server.Client), 60);
    }

    [Fact]
    public async Task TheBudget_ShouldComeBackAfterTheWindow()
    {
        var server = await StartAsync(Limit(2, "00:00:02"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await JoinAsync(server.Client)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await JoinAsync(server.Client)).StatusCode);
        var refused = await JoinAsync(server.Client);
        await AssertRateLimitedAsync(refused, 2);
        var wait = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        await Task.Delay(TimeSpan.FromSeconds(wait) + TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await JoinAsync(server.Client)).StatusCode);
    }

    [Fact]
    public async Task Disabled_ShouldNotLimit()
    {
        var settings = Limit(1);
        settings["Mandate:Identity:AttestationRateLimit:Enabled"] = "false";
        var server = await StartAsync(settings);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await JoinAsync(server.Client)).StatusCode);
        }
    }

    [Theory]
    [InlineData("PermitLimit", "0")]
    [InlineData("Window", "00:00:00")]
    [InlineData("QueueLimit", "-1")]
    [InlineData("Ipv6PrefixLength", "0")]
    public async Task BadSettings_ShouldStopTheServer_NamingTheSetting(string setting, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new Dictionary<string, string?>
        {
            ["Mandate:Identity:AttestationRateLimit:" + setting] = value,
        }));
        Assert.Contains("Mandate:Identity:AttestationRateLimit:" + setting, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("203.0.113.7", 64, "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", 64, "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64, "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 48, "2001:db8:1::/48")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 56, "2001:db8:1::/56")]
    [InlineData("2001:db8:1:2ff:aaaa:bbbb:cccc:dddd", 56, "2001:db8:1:200::/56")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 128, "2001:db8:1:2:aaaa:bbbb:cccc:dddd")]
    [InlineData("::1", 64, "::/64")]
    public void ClientNetwork_ShouldCountIpv4PerAddress_AndIpv6PerPrefix(string address, int prefix, string expected)
    {
        Assert.Equal(expected, ClientNetwork.Of(IPAddress.Parse(address), prefix));
    }

    [Fact]
    public void ClientNetwork_ShouldShareOneBudget_WhenTheAddressIsUnknown()
    {
        Assert.Equal(ClientNetwork.Unknown, ClientNetwork.Of(null, 64));
    }
}
