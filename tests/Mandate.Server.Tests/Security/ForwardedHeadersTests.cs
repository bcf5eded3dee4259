using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> over real HTTP: believed only from a proxy named in
/// <c>Mandate:ForwardedHeaders</c> (here 127.0.0.2, a client whose connections leave from that address). From any other
/// peer — loopback included, which ASP.NET Core's defaults would trust — they change nothing: the per-client rate limit,
/// the loopback rule for anonymous enforcement points and the address in the ledger are the peer's. From the proxy,
/// the client it names is the client everywhere, and the scheme it names is the request's.
/// </summary>
public sealed class ForwardedHeadersTests : IAsyncDisposable
{
    private static readonly IPAddress Proxy = IPAddress.Parse("127.0.0.2");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MandateTestServer? server;

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task XForwardedFor_FromAPeerThatIsNotAConfiguredProxy_ShouldBeIgnored_EvenFromLoopback()
    {
        await StartAsync(("Mandate:ForwardedHeaders:KnownProxies:0", "127.0.0.2"));

        // The default client connects from 127.0.0.1: loopback, but not the configured proxy. Each request claims
        // another client; they all share the peer's budget of three (anonymous enforcement points, admitted from
        // loopback, are limited per network; authenticated ones have budgets of their own).
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await DecideAsync(server!.Client, forwardedFor: $"203.0.113.{i + 1}", admin: false));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await DecideAsync(server!.Client, forwardedFor: "203.0.113.50", admin: false));
        var seen = await ProbeAsync(server!.Client, forwardedFor: "203.0.113.60", forwardedProto: "https");
        Assert.Equal(("127.0.0.1", "http"), seen);
        Assert.Equal("127.0.0.1", await FailedAuthenticationActorAsync(server!.Client, forwardedFor: "203.0.113.70"));
    }

    [Fact]
    public async Task XForwardedFor_FromAConfiguredProxy_ShouldBeTheClientAddress_ForRateLimitsLoopbackRulesAndTheLedger()
    {
        await StartAsync(("Mandate:ForwardedHeaders:KnownProxies:0", "127.0.0.2"));
        using var proxy = server!.CreateClientFrom(Proxy);

        // Each client behind the proxy has its own network budget: a remote caller without a credential is refused
        // (401) and counted against its own address, not the proxy's.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await DecideAsync(proxy, forwardedFor: "203.0.113.10", admin: false));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await DecideAsync(proxy, forwardedFor: "203.0.113.10", admin: false));
        Assert.Equal(HttpStatusCode.Unauthorized, await DecideAsync(proxy, forwardedFor: "203.0.113.11", admin: false));

        // An authenticated enforcement point behind the proxy is not held to any network's budget.
        Assert.Equal(HttpStatusCode.OK, await DecideAsync(proxy, forwardedFor: "203.0.113.10"));

        // Anonymous enforcement points are admitted from loopback only (the demo's rule): a remote client forwarded
        // by a proxy on loopback is remote. A client cannot smuggle a loopback address in front of its own either:
        // only the last hop, the one the proxy appended, is read.
        Assert.Equal(HttpStatusCode.Unauthorized, await DecideAsync(proxy, forwardedFor: "203.0.113.12", admin: false));
        Assert.Equal(HttpStatusCode.Unauthorized, await DecideAsync(proxy, forwardedFor: "127.0.0.1, 203.0.113.13", admin: false));
        Assert.Equal(HttpStatusCode.OK, await DecideAsync(proxy, forwardedFor: null, admin: false));

        Assert.Equal("203.0.113.14", await FailedAuthenticationActorAsync(proxy, forwardedFor: "203.0.113.14"));
    }

    [Fact]
    public async Task XForwardedProto_FromAConfiguredNetwork_ShouldMakeTheRequestHttps()
    {
        await StartAsync(("Mandate:ForwardedHeaders:KnownNetworks:0", "127.0.0.2/32"));
        using var proxy = server!.CreateClientFrom(Proxy);

        Assert.Equal(("203.0.113.20", "https"), await ProbeAsync(proxy, forwardedFor: "203.0.113.20", forwardedProto: "https"));
        Assert.Equal(("127.0.0.2", "http"), await ProbeAsync(proxy, forwardedFor: null, forwardedProto: null));
        Assert.Equal(("127.0.0.1", "http"), await ProbeAsync(server!.Client, forwardedFor: "203.0.113.21", forwardedProto: "https"));
    }

    [Fact]
    public async Task WithoutTheSetting_NoForwardedHeaderIsRead()
    {
        await StartAsync();
        using var proxy = server!.CreateClientFrom(Proxy);
        Assert.Equal(("127.0.0.2", "http"), await ProbeAsync(proxy, forwardedFor: "203.0.113.30", forwardedProto: "https"));
        Assert.Equal("127.0.0.2", await FailedAuthenticationActorAsync(proxy, forwardedFor: "203.0.113.31"));
    }

    [Theory]
    [InlineData("Mandate:ForwardedHeaders:KnownProxies:0", "10.0.0.300", "Mandate:ForwardedHeaders:KnownProxies:0: \"10.0.0.300\" is not an IP address.")]
    [InlineData("Mandate:ForwardedHeaders:KnownNetworks:0", "10.0.0.1/24", "Mandate:ForwardedHeaders:KnownNetworks:0: \"10.0.0.1/24\" is not a network in CIDR notation")]
    [InlineData("Mandate:ForwardedHeaders:KnownNetworks:0", "proxies", "Mandate:ForwardedHeaders:KnownNetworks:0: \"proxies\" is not a network in CIDR notation")]
    [InlineData("Mandate:ForwardedHeaders:ForwardLimit", "0", "Mandate:ForwardedHeaders:ForwardLimit must be between 1 and 10.")]
    public async Task ABadProxySetting_ShouldStopTheStart_NamingIt(string key, string value, string message)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync((key, value)));
        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }

    private async Task StartAsync(params (string Key, string Value)[] settings)
    {
        var values = settings.ToDictionary(s => s.Key, s => (string?)s.Value);
        values["Mandate:RateLimits:Decisions:PermitLimit"] = "3";
        values["Mandate:RateLimits:Decisions:Window"] = "00:05:00";
        server = await MandateTestServer.StartAsync(
            o => o.Demo = true,
            b =>
            {
                b.Configuration.AddInMemoryCollection(values);
                b.Services.AddSingleton<IStartupFilter>(new RequestProbe());
            });
    }

    private async Task<HttpStatusCode> DecideAsync(HttpClient client, string? forwardedFor, bool admin = true)
    {
        const string Body = """{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/agent/support-assistant"},"action":{"name":"read"},"resource":{"type":"Dataset","id":"kb-articles"}}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/access/v1/evaluation") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        if (admin)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", server!.AdminToken);
        }

        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    /// <summary>The client address and scheme the request has once the server's pipeline has run (<see cref="RequestProbe"/>).</summary>
    private async Task<(string Address, string Scheme)> ProbeAsync(HttpClient client, string? forwardedFor, string? forwardedProto)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, RequestProbe.Path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", server!.AdminToken);
        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        if (forwardedProto is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", forwardedProto);
        }

        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        var body = JsonDocument.Parse(text).RootElement;
        return (body.GetProperty("address").GetString()!, body.GetProperty("scheme").GetString()!);
    }

    /// <summary>Presents a wrong admin token; returns the actor (the client address) of the ledger's record of the refusal.</summary>
    private async Task<string> FailedAuthenticationActorAsync(HttpClient client, string forwardedFor)
    {
        var path = "/v1/audit/events?marker=" + Guid.NewGuid().ToString("N");
        using (var request = new HttpRequestMessage(HttpMethod.Get, path))
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "mdt_wrong-wrong-wrong-wrong-wrong-wrong-wrong");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        for (var attempt = 0; attempt < 50; attempt++)
        {
            await server!.Services.GetRequiredService<DecisionAuditQueue>().FlushAsync(Ct);
            await using var session = await server.Services.GetRequiredService<IMandateStore>().BeginAsync(StoreIntent.Read, Ct);
            await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, Ct))
            {
                var body = JsonDocument.Parse(record.CanonicalJson).RootElement;
                if (body.GetProperty("type").GetString() == "admin.authentication_failed")
                {
                    return body.GetProperty("actor").GetString()!;
                }
            }

            await Task.Delay(100, Ct);
        }

        Assert.Fail("the refused authentication was not recorded in the ledger");
        return string.Empty;
    }

    /// <summary>
    /// Answers <see cref="Path"/> behind the whole server pipeline (a path no endpoint has) with the client address and
    /// scheme the request ended up with: what every endpoint of the server sees.
    /// </summary>
    private sealed class RequestProbe : IStartupFilter
    {
        public const string Path = "/test/request-probe";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Path == Path)
                {
                    await context.Response.WriteAsJsonAsync(new { address = context.Connection.RemoteIpAddress?.ToString(), scheme = context.Request.Scheme });
                    return;
                }

                await nextMiddleware(context);
            });
        };
    }
}
