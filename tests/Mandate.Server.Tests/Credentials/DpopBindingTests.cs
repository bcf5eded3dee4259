using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Core.Credentials;
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
        request.Headers.Add("DPoP", Proof(ecdsa, "POST", url, null, estate.Clock.GetUtcNow()));
        using var response = await agent.SendAsync(request, ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        Assert.Equal("DPoP", body.GetProperty("credential").GetProperty("token_type").GetString());
        var token = body.GetProperty("credential").GetProperty("access_token").GetString()!;
        Assert.False(string.IsNullOrEmpty(TaskEstate.Claims(token).GetProperty("cnf").GetProperty("jkt").GetString()));

        var verifier = estate.Server.Services.GetRequiredService<ICredentialVerifier>();
        Assert.False((await verifier.VerifyAsync(token, ct)).Valid);

        const string resource = "https://pep.example/tickets/T-1";
        var proof = Proof(ecdsa, "GET", resource, token, estate.Clock.GetUtcNow());
        var bound = await verifier.VerifyAsync(new CredentialPresentation(token) { DpopProof = proof, HttpMethod = "GET", HttpUri = resource }, ct);
        Assert.True(bound.Valid, bound.Description);

        var replay = await verifier.VerifyAsync(new CredentialPresentation(token) { DpopProof = proof, HttpMethod = "GET", HttpUri = resource }, ct);
        Assert.False(replay.Valid);

        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var stolen = await verifier.VerifyAsync(
            new CredentialPresentation(token) { DpopProof = Proof(other, "GET", resource, token, estate.Clock.GetUtcNow()), HttpMethod = "GET", HttpUri = resource }, ct);
        Assert.False(stolen.Valid);
    }

    private static string Proof(ECDsa key, string method, string uri, string? accessToken, DateTimeOffset now)
    {
        var parameters = key.ExportParameters(false);
        var jwk = new Dictionary<string, object>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(parameters.Q.X),
            ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
        };
        var claims = new Dictionary<string, object>
        {
            ["htm"] = method,
            ["htu"] = uri,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (accessToken is not null)
        {
            claims["ath"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            JsonSerializer.Serialize(claims),
            new SigningCredentials(new ECDsaSecurityKey(key), SecurityAlgorithms.EcdsaSha256),
            new Dictionary<string, object> { ["typ"] = "dpop+jwt", ["jwk"] = jwk });
    }
}
