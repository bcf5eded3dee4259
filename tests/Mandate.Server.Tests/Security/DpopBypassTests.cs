using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mandate.Core.Delegation;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Server.Tests.Security.DelegationAttack;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// M3 and the decision point: a DPoP-bound credential needs a proof of its key wherever it is presented, as the actor
/// token of an exchange too; at the decision point the PEP forwards the proof with the method and URI of the request it
/// protects, and Mandate checks <c>htm</c>, <c>htu</c>, <c>ath</c> and replay.
/// </summary>
public sealed class DpopBypassTests
{
    private const string ExternalIssuer = "https://idp.example.com";
    private const string ProtectedUri = "https://pep.example/tickets/T-1001";
    private const string Partner = "spiffe://partner.example/agent/summarizer";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DpopBoundActorToken_ShouldBeRefused_WithoutAProofOfItsKey()
    {
        using var idp = new TestKey("idp");
        using var actorKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var estate = await StartDemoAsync(b => b.Services.PostConfigure<TokenExchangeOptions>(o =>
            o.TrustedIssuers.Add(new TrustedIssuerOptions { Issuer = ExternalIssuer, Jwks = idp.Jwks() })));
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [Partner]));
        var boundActor = PartnerToken(idp, estate, new JsonObject { ["jkt"] = Thumbprint(actorKey) });

        // Lifted without its key: no proof at all, then a proof signed by another key.
        var (bare, bareBody) = await ExchangeAsPartnerAsync(idp, estate, saTask, boundActor, null);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (other, otherBody) = await ExchangeAsPartnerAsync(idp, estate, saTask, boundActor, DpopProof(otherKey, "POST", TokenEndpoint(estate), null, estate.Clock.GetUtcNow()));
        // The holder of the key can use it.
        var (held, heldBody) = await ExchangeAsPartnerAsync(idp, estate, saTask, boundActor, DpopProof(actorKey, "POST", TokenEndpoint(estate), null, estate.Clock.GetUtcNow()));

        Assert.True(bare == 400, bareBody.ToString());
        Assert.Contains("actor_token is DPoP-bound", bareBody.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.True(other == 400, otherBody.ToString());
        Assert.True(held == 200, heldBody.ToString());
    }

    [Fact]
    public async Task DpopBoundClientAssertion_ShouldBeRefused_SinceNoProofOfItsKeyCanBeChecked()
    {
        using var idp = new TestKey("idp");
        using var assertionKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var estate = await StartDemoAsync(b => b.Services.PostConfigure<TokenExchangeOptions>(o =>
            o.TrustedIssuers.Add(new TrustedIssuerOptions { Issuer = ExternalIssuer, Jwks = idp.Jwks() })));
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], []));
        var boundAssertion = PartnerToken(idp, estate, new JsonObject { ["jkt"] = Thumbprint(assertionKey) });

        var (status, body) = await ExchangeAsync(
            estate.Server.Client,
            saTask,
            extra:
            [
                new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                new("client_assertion", boundAssertion),
            ]);

        Assert.True(status == 401, body.ToString());
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task DpopBoundCredential_ShouldBeUsableAtTheDecisionPoint_WithAProofForTheProtectedRequest()
    {
        await using var estate = await StartDemoAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = await OpenBoundTaskAsync(estate, key);

        var (allowed, body) = await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", token, Proof(key, "GET", ProtectedUri, token, estate));

        Assert.True(allowed, body.ToString());
    }

    [Fact]
    public async Task DpopBoundCredential_ShouldBeDeniedAtTheDecisionPoint_WithoutAProof_OrWithAProofForAnotherRequest()
    {
        await using var estate = await StartDemoAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var thief = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = await OpenBoundTaskAsync(estate, key);
        var (other, _, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], []));

        var replayed = Proof(key, "GET", ProtectedUri, token, estate);
        Assert.True((await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", token, replayed)).Decision);

        JsonObject[] attacks =
        [
            Proof(key, "GET", ProtectedUri, token, estate, htm: "POST"),                                 // htm is not the request's method
            Proof(key, "GET", ProtectedUri, token, estate, htu: "https://pep.example/tickets/T-9999"),   // htu is another URI
            Proof(key, "GET", ProtectedUri, other, estate),                                              // ath of another token
            Proof(thief, "GET", ProtectedUri, token, estate),                                            // another key
            JsonNode.Parse(replayed.ToJsonString())!.AsObject(),                                         // replay
        ];
        Assert.False((await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", token)).Decision);
        foreach (var proof in attacks)
        {
            var (decision, body) = await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", token, proof);
            Assert.False(decision, proof.ToJsonString() + " → " + body);
        }
    }

    /// <summary>A token of the partner workload from the trusted external issuer, bound to a key when <paramref name="cnf"/> is given.</summary>
    private static string PartnerToken(TestKey idp, TaskEstate estate, JsonObject? cnf = null)
    {
        var now = estate.Clock.GetUtcNow().ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = ExternalIssuer,
            ["sub"] = Partner,
            ["aud"] = estate.Issuer,
            ["iat"] = now,
            ["exp"] = now + 300,
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (cnf is not null)
        {
            claims["cnf"] = cnf;
        }

        return TestKey.Sign(claims.ToJsonString(), idp.Credentials);
    }

    /// <summary>The partner authenticates with an (unbound) client assertion of its issuer and presents <paramref name="actorToken"/>.</summary>
    private static Task<(int Status, JsonElement Body)> ExchangeAsPartnerAsync(TestKey idp, TaskEstate estate, string subjectToken, string actorToken, string? dpop) =>
        ExchangeAsync(
            estate.Server.Client,
            subjectToken,
            actorToken,
            extra:
            [
                new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                new("client_assertion", PartnerToken(idp, estate)),
            ],
            dpopProof: dpop);

    private static JsonObject Proof(ECDsa key, string method, string uri, string token, TaskEstate estate, string? htm = null, string? htu = null) => new()
    {
        ["dpop"] = DpopProof(key, method, uri, token, estate.Clock.GetUtcNow()),
        ["htm"] = htm ?? method,
        ["htu"] = htu ?? uri,
    };

    private static async Task<string> OpenBoundTaskAsync(TaskEstate estate, ECDsa key)
    {
        using var agent = estate.As(TaskEstate.Agent);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tasks") { Content = JsonContent.Create(new { intent = Intent(["read"], []), ttl_seconds = 600 }) };
        request.Headers.Add("DPoP", DpopProof(key, "POST", new Uri(estate.Server.Address, "/v1/tasks").ToString(), null, estate.Clock.GetUtcNow()));
        using var response = await agent.SendAsync(request, Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("credential").GetProperty("access_token").GetString()!;
    }
}
