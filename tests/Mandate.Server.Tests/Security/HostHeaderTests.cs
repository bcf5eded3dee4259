using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// L6: the Host header is the attacker's. A DPoP proof made for <c>http://evil.example</c> must not be accepted because
/// the request carried <c>Host: evil.example</c>; the AuthZEN metadata must not advertise a host the request named; the
/// <c>htu</c> path compares case-sensitively. The configured public URL (default: the first listen URL) is the only source.
/// </summary>
public sealed class HostHeaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DpopProofForAnAttackersHost_ShouldBeRefused_EvenWhenTheHostHeaderNamesIt()
    {
        await using var estate = await TaskEstate.StartAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var agent = estate.As(TaskEstate.Agent);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tasks") { Content = JsonContent.Create(new { intent = TaskEstate.Intent(), ttl_seconds = 600 }) };
        request.Headers.Host = "evil.example";
        request.Headers.Add("DPoP", Proof(key, "POST", "http://evil.example/v1/tasks", estate.Clock.GetUtcNow()));
        using var response = await agent.SendAsync(request, Ct);
        Assert.NotEqual(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task DpopProofWithADifferentlyCasedPath_ShouldBeRefused()
    {
        await using var estate = await TaskEstate.StartAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var agent = estate.As(TaskEstate.Agent);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tasks") { Content = JsonContent.Create(new { intent = TaskEstate.Intent(), ttl_seconds = 600 }) };
        request.Headers.Add("DPoP", Proof(key, "POST", new Uri(estate.Server.Address, "/V1/TASKS").ToString(), estate.Clock.GetUtcNow()));
        using var response = await agent.SendAsync(request, Ct);
        Assert.NotEqual(HttpStatusCode.Created, response.StatusCode);

        // The honest proof for the server's own URL still binds.
        using var honest = new HttpRequestMessage(HttpMethod.Post, "/v1/tasks") { Content = JsonContent.Create(new { intent = TaskEstate.Intent(), ttl_seconds = 600 }) };
        honest.Headers.Add("DPoP", Proof(key, "POST", new Uri(estate.Server.Address, "/v1/tasks").ToString(), estate.Clock.GetUtcNow()));
        using var created = await agent.SendAsync(honest, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task AuthZenMetadata_ShouldNotReflectTheHostHeader_ButTheConfiguredPublicUrl()
    {
        await using var server = await MandateTestServer.StartAsync(o => o.PublicUrl = "https://pdp.example.com");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/authzen-configuration");
        request.Headers.Host = "evil.example";
        using var response = await server.Client.SendAsync(request, Ct);
        var metadata = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("https://pdp.example.com", metadata.GetProperty("policy_decision_point").GetString());
        Assert.Equal("https://pdp.example.com/access/v1/evaluation", metadata.GetProperty("access_evaluation_endpoint").GetString());
    }

    private static string Proof(ECDsa key, string method, string uri, DateTimeOffset now) => DpopProofs.Create(key, method, uri, null, now);
}
