using System.Net;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Health;

/// <summary>
/// <c>mandate serve --http2-urls</c>: the server also listens for cleartext HTTP/2 with prior knowledge (h2c), so an
/// enforcement point can multiplex its decisions over one connection, while HTTP/1.1 stays on the usual URLs; the same
/// authentication applies on both.
/// </summary>
public sealed class Http2CleartextTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Http2Urls_ShouldServeDecisionsOverH2c_AndKeepHttp11OnTheUsualUrls()
    {
        await using var server = await MandateTestServer.StartAsync(o => o.Http2Urls = "http://127.0.0.1:0");
        var addresses = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        Assert.Equal(2, addresses.Count);
        var http1 = addresses[0];
        var h2c = addresses[1];

        using var h2Client = new HttpClient { BaseAddress = h2c, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using (var health = await h2Client.GetAsync("/healthz", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(HttpVersion.Version20, health.Version);
        }

        // A decision over h2c, anonymous from loopback as the demo allows: answered, and over HTTP/2.
        var body = JsonSerializer.Serialize(new
        {
            subject = new { type = "Workload", id = "spiffe://demo.mandate.local/agent/support-assistant" },
            action = new { name = "read" },
            resource = new { type = "Dataset", id = "kb-articles" },
        });
        using (var decision = await h2Client.PostAsync("/access/v1/evaluation", new StringContent(body, Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, decision.StatusCode);
            Assert.Equal(HttpVersion.Version20, decision.Version);
            using var answer = JsonDocument.Parse(await decision.Content.ReadAsStringAsync(Ct));
            Assert.Equal(JsonValueKind.False, answer.RootElement.GetProperty("decision").ValueKind);
        }

        // An admin endpoint over h2c still wants the admin token.
        using (var refused = await h2Client.GetAsync("/v1/audit/verify", Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // HTTP/1.1 on the usual URL, as before.
        using var http1Client = new HttpClient { BaseAddress = http1, DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using (var health = await http1Client.GetAsync("/healthz", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(HttpVersion.Version11, health.Version);
        }
    }

    [Fact]
    public async Task Http2Urls_ShouldRefuseATlsUrl()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => MandateTestServer.StartAsync(o => o.Http2Urls = "https://127.0.0.1:0"));
        Assert.Contains("http://", error.Message, StringComparison.Ordinal);
    }
}
