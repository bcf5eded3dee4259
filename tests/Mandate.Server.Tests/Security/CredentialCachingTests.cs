using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mandate.Server.Tests.Tasks;
using static Mandate.Server.Tests.Security.LifecycleEstate;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// L11: no cache (browser, proxy, CDN) may keep a response that carries a credential: every answer of
/// <c>/v1/svid/*</c>, <c>/v1/attest/*</c>, <c>/v1/tasks*</c> and <c>/oauth2/token</c> says <c>Cache-Control: no-store</c>
/// and <c>Pragma: no-cache</c>, errors included.
/// </summary>
public sealed class CredentialCachingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void AssertNotCacheable(HttpResponseMessage response, string what)
    {
        Assert.True(response.Headers.CacheControl?.NoStore == true, $"{what} ({(int)response.StatusCode}) has no Cache-Control: no-store");
        Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
    }

    [Fact]
    public async Task CredentialResponses_ShouldNotBeStorableByAnyCache()
    {
        await using var estate = await TaskEstate.StartAsync();
        using var agent = estate.As(TaskEstate.Agent);

        using (var jwt = await agent.PostAsJsonAsync("/v1/svid/jwt", new { audiences = new[] { TaskEstate.Outsider } }, Ct))
        {
            Assert.True(jwt.IsSuccessStatusCode);
            AssertNotCacheable(jwt, "JWT-SVID");
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=w", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        using (var x509 = await agent.PostAsJsonAsync("/v1/svid/x509", new { csr }, Ct))
        {
            Assert.True(x509.IsSuccessStatusCode, await x509.Content.ReadAsStringAsync(Ct));
            AssertNotCacheable(x509, "X.509-SVID");
        }

        using (var validated = await agent.PostAsJsonAsync("/v1/svid/validate", new { token = estate.Svid(TaskEstate.Helper), audience = estate.Issuer }, Ct))
        {
            AssertNotCacheable(validated, "SVID validation");
        }

        using var joinTokenResponse = await estate.Admin.PostAsJsonAsync("/v1/attest/join-tokens", new { spiffe_id = TaskEstate.Helper, ttl_seconds = 120 }, Ct);
        Assert.True(joinTokenResponse.IsSuccessStatusCode);
        AssertNotCacheable(joinTokenResponse, "join token");
        var joinToken = JsonDocument.Parse(await joinTokenResponse.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("token").GetString();
        using (var joined = await estate.Server.Client.PostAsJsonAsync("/v1/attest/join", new { token = joinToken }, Ct))
        {
            Assert.True(joined.IsSuccessStatusCode, await joined.Content.ReadAsStringAsync(Ct));
            AssertNotCacheable(joined, "join attestation");
        }

        using (var refused = await estate.Server.Client.PostAsJsonAsync("/v1/attest/join", new { token = "nope" }, Ct))
        {
            AssertNotCacheable(refused, "refused join attestation");
        }

        using var opened = await agent.PostAsJsonAsync("/v1/tasks", new { intent = TaskEstate.Intent(), ttl_seconds = 600 }, Ct);
        Assert.True(opened.IsSuccessStatusCode);
        AssertNotCacheable(opened, "task open");
        var task = JsonDocument.Parse(await opened.Content.ReadAsStringAsync(Ct)).RootElement;
        var taskId = task.GetProperty("task").GetProperty("id").GetString()!;
        var token = task.GetProperty("credential").GetProperty("access_token").GetString()!;

        using (var renewed = await agent.PostAsJsonAsync($"/v1/tasks/{taskId}/renew", new { ttl_seconds = 600 }, Ct))
        {
            AssertNotCacheable(renewed, "task renew");
        }

        using (var shown = await agent.GetAsync($"/v1/tasks/{taskId}", Ct))
        {
            AssertNotCacheable(shown, "task show");
        }

        using (var listed = await agent.GetAsync("/v1/tasks", Ct))
        {
            AssertNotCacheable(listed, "task list");
        }

        using (var exchanged = await estate.ExchangeAsync(token, TaskEstate.SubAgent, scope: "read"))
        {
            Assert.True(exchanged.IsSuccessStatusCode);
            AssertNotCacheable(exchanged, "token exchange");
        }

        using (var badExchange = await agent.PostAsync("/oauth2/token", ExchangeForm("not-a-token", estate.Svid(TaskEstate.Agent)), Ct))
        {
            AssertNotCacheable(badExchange, "refused token exchange");
        }

        using (var completed = await agent.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct))
        {
            AssertNotCacheable(completed, "task complete");
        }
    }
}
