using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Core.Credentials;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Server.Tests.Credentials;

public sealed class DpopBindingTests
{
    [Fact]
    public async Task DpopBoundTaskCredential_ShouldNeedAFreshProofOfTheSameKey()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var estate = await TaskEstate.StartAsync();
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var url = new Uri(estate.Server.Address, "/v1/tasks").ToString();
        using var agent = estate.As(TaskEstate.Agent);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tasks") { Content = JsonContent.Create(new { intent = TaskEstate.Intent(), ttl_seconds = 600 }) };
        request.Headers.Add("DPoP", DpopProofs.Create(ecdsa, "POST", url, null, estate.Clock.GetUtcNow()));
        using var response = await agent.SendAsync(request, ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        Assert.Equal("DPoP", body.GetProperty("credential").GetProperty("token_type").GetString());
        var token = body.GetProperty("credential").GetProperty("access_token").GetString()!;
        Assert.False(string.IsNullOrEmpty(TaskEstate.Claims(token).GetProperty("cnf").GetProperty("jkt").GetString()));

        var verifier = estate.Server.Services.GetRequiredService<ICredentialVerifier>();
        Assert.False((await verifier.VerifyAsync(token, ct)).Valid);

        const string resource = "https://pep.example/tickets/T-1";
        var proof = DpopProofs.Create(ecdsa, "GET", resource, token, estate.Clock.GetUtcNow());
        var bound = await verifier.VerifyAsync(new CredentialPresentation(token) { DpopProof = proof, HttpMethod = "GET", HttpUri = resource }, ct);
        Assert.True(bound.Valid, bound.Description);

        var replay = await verifier.VerifyAsync(new CredentialPresentation(token) { DpopProof = proof, HttpMethod = "GET", HttpUri = resource }, ct);
        Assert.False(replay.Valid);

        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var stolen = await verifier.VerifyAsync(
            new CredentialPresentation(token) { DpopProof = DpopProofs.Create(other, "GET", resource, token, estate.Clock.GetUtcNow()), HttpMethod = "GET", HttpUri = resource }, ct);
        Assert.False(stolen.Valid);
    }
}
