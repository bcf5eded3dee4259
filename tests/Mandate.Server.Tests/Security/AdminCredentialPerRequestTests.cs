using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Mandate.Server.Authentication;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// The bootstrap admin's principal is one shared object (<see cref="BootstrapAdminPrincipal"/>), and the admin token is
/// checked from a slice of the header: the token must still be checked on every request, so a wrong token on the same
/// connection right after an accepted one is refused, and the shared principal must refuse to be changed.
/// </summary>
public sealed class AdminCredentialPerRequestTests
{
    private const string Evaluation =
        "{\"subject\":{\"type\":\"Workload\",\"id\":\"spiffe://demo.mandate.local/svc/billing\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Invoice\",\"id\":\"INV-2026-001\"}}";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WrongAdminToken_ShouldBeRefused_OnTheRequestAfterAnAcceptedOne_OnTheSameConnection()
    {
        // No anonymous enforcement points: a refused credential is a 401, not an anonymous decision.
        await using var server = await MandateTestServer.StartAsync(configureBuilder: b =>
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Mandate:Decisions:AllowAnonymousPeps"] = "None" }));
        var admin = server.AdminToken;

        // The same shape and length as the admin token, one character off: refused by the hash, not by its prefix.
        var wrong = admin[..^1] + (admin[^1] == 'A' ? 'B' : 'A');

        // One client, one keep-alive connection: nothing of the accepted request may carry over to the next.
        using var client = new HttpClient { BaseAddress = server.Address };
        foreach (var (token, expected) in new[] { (admin, HttpStatusCode.OK), (wrong, HttpStatusCode.Unauthorized), (admin, HttpStatusCode.OK), (wrong, HttpStatusCode.Unauthorized) })
        {
            using var decision = await SendAsync(client, HttpMethod.Post, "/access/v1/evaluation", token);
            Assert.Equal(expected, decision.StatusCode);
            using var status = await SendAsync(client, HttpMethod.Get, "/v1/status", token);
            Assert.Equal(expected, status.StatusCode);
        }
    }

    [Fact]
    public void BootstrapAdminPrincipal_ShouldRefuseChanges_ButItsClonesShouldNot()
    {
        var shared = BootstrapAdminPrincipal.Instance;
        Assert.True(shared.IsInRole(AdminAuthenticationHandler.Role));
        Assert.Equal(Core.Operators.OperatorActors.BootstrapAdmin, shared.Identity?.Name);
        Assert.Equal(AdminAuthenticationHandler.SchemeName, shared.Identity?.AuthenticationType);

        Assert.Throws<InvalidOperationException>(() => shared.AddIdentity(new ClaimsIdentity()));
        Assert.Throws<InvalidOperationException>(() => shared.AddIdentities([new ClaimsIdentity()]));
        var identity = Assert.Single(shared.Identities);
        Assert.Throws<InvalidOperationException>(() => identity.AddClaim(new Claim("mandate:operator", "someone")));
        Assert.Throws<InvalidOperationException>(() => identity.AddClaims([new Claim("mandate:operator", "someone")]));
        Assert.Throws<InvalidOperationException>(() => identity.RemoveClaim(identity.FindFirst(ClaimTypes.Role)));
        Assert.Throws<InvalidOperationException>(() => identity.TryRemoveClaim(identity.FindFirst(ClaimTypes.Role)));

        var copy = identity.Clone();
        copy.AddClaim(new Claim("mandate:operator", "someone"));
        Assert.Null(shared.FindFirst("mandate:operator"));
        Assert.Equal(2, shared.Claims.Count());
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent(Evaluation, Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request, Ct);
    }
}
