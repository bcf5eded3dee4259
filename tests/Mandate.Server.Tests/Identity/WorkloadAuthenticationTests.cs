using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;

namespace Mandate.Server.Tests.Identity;

public sealed class WorkloadAuthenticationTests : IAsyncLifetime
{
    private const string Billing = "spiffe://demo.mandate.local/test/billing";
    private MandateTestServer server = null!;

    public async ValueTask InitializeAsync()
    {
        server = await MandateTestServer.StartAsync();
        await IdentityTestData.RegisterAsync(server, Billing);
    }

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task SvidJwt_ShouldIssueAnSvidForTheCaller_WhenAuthenticatedWithAMandateSvid()
    {
        using var client = IdentityTestData.WorkloadClient(server, IdentityTestData.MandateSvid(server, Billing));
        var response = await client.PostAsJsonAsync("/v1/svid/jwt", new { audience = "spiffe://demo.mandate.local/svc/reports" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(Billing, body.GetProperty("spiffe_id").GetString());
        Assert.Equal(["spiffe://demo.mandate.local/svc/reports"], body.GetProperty("audiences").EnumerateArray().Select(a => a.GetString()));
        var lifetime = body.GetProperty("expires_at").GetDateTimeOffset() - body.GetProperty("issued_at").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromMinutes(5), lifetime);
    }

    [Fact]
    public async Task SvidJwt_ShouldAnswer401_WithoutAToken()
    {
        var response = await server.Client.PostAsJsonAsync("/v1/svid/jwt", new { audience = "x" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task SvidJwt_ShouldRefuseTheAdminToken_AsAWorkloadCredential()
    {
        using var admin = server.CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/v1/svid/jwt", new { audience = "x" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("https://mandate.dev/problems/token-malformed", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task SvidJwt_ShouldRefuseAnSvidForAnotherAudience()
    {
        var issuer = server.Services.GetService(typeof(Mandate.Core.Identity.Svid.JwtSvidIssuer)) as Mandate.Core.Identity.Svid.JwtSvidIssuer;
        var token = issuer!.Issue(Mandate.Core.Identity.SpiffeId.Parse(Billing), ["someone-else"], TimeSpan.FromMinutes(5)).Token;
        using var client = IdentityTestData.WorkloadClient(server, token);
        var response = await client.PostAsJsonAsync("/v1/svid/jwt", new { audience = "x" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("https://mandate.dev/problems/token-audience-mismatch", problem.GetProperty("type").GetString());
    }
}
