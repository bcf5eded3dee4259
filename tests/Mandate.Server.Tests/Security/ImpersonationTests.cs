using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Mandate.Core.Delegation;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Server.Tests.Security.DelegationAttack;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// L1: an exchange without an actor token re-issues the subject token under the same authority; only the party whose
/// token it is (its subject, or its current actor when it is delegated) or a client its <c>may_act</c> names may ask.
/// </summary>
public sealed class ImpersonationTests
{
    private const string Billing = "spiffe://demo.mandate.local/svc/billing";

    [Fact]
    public async Task Impersonation_ShouldBeRefused_WhenAnotherClientReissuesSomeoneElsesToken()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read", "write"], []));
        using var outsider = estate.As(TaskEstate.Outsider);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        // Bound to the outsider's own key and re-addressed: the stolen token would become the outsider's.
        var (status, body) = await ExchangeAsync(
            outsider, saTask, extra: [new("audience", Billing)], dpopProof: DpopProof(key, "POST", TokenEndpoint(estate), null, estate.Clock.GetUtcNow()));

        Assert.True(status == 400, body.ToString());
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.Contains(await estate.AuditAsync("delegation.exchange_refused"), e => e.GetProperty("actor").GetString() == TaskEstate.Outsider);
    }

    [Fact]
    public async Task Impersonation_ShouldBeRefused_ForTheSubjectOfADelegatedToken()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [TaskEstate.SubAgent]));
        var delegated = await DelegateAsync(estate, saTask, TaskEstate.SubAgent);
        using var agent = estate.As(TaskEstate.Agent);

        // The token is TS's to use (act=TS); SA re-issuing it would hold a token that says TS is acting.
        var (status, body) = await ExchangeAsync(agent, delegated, extra: [new("audience", Billing)]);

        Assert.True(status == 400, body.ToString());
    }

    [Fact]
    public async Task Impersonation_ShouldBeAllowed_ForTheTokensOwnHolder()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read", "write"], []));
        using var agent = estate.As(TaskEstate.Agent);

        var (status, body) = await ExchangeAsync(agent, saTask, extra: [new("audience", Billing)]);

        Assert.True(status == 200, body.ToString());
        var claims = TaskEstate.Claims(body.GetProperty("access_token").GetString()!);
        Assert.Equal(TaskEstate.Agent, claims.GetProperty("sub").GetString());
        Assert.False(claims.TryGetProperty("act", out _));
    }

    [Fact]
    public async Task Impersonation_ShouldBeAllowed_ForAClientTheSubjectTokensMayActNames()
    {
        using var idp = new TestKey("idp");
        await using var estate = await StartDemoAsync(b => b.Services.PostConfigure<TokenExchangeOptions>(o =>
            o.TrustedIssuers.Add(new TrustedIssuerOptions { Issuer = "https://idp.example.com", Jwks = idp.Jwks() })));
        var now = estate.Clock.GetUtcNow().ToUnixTimeSeconds();
        string UserToken(string mayAct) => TestKey.Sign(
            new JsonObject
            {
                ["iss"] = "https://idp.example.com",
                ["sub"] = "user:alice",
                ["aud"] = estate.Issuer,
                ["exp"] = now + 300,
                ["scope"] = "read",
                ["may_act"] = new JsonObject { ["sub"] = mayAct },
            }.ToJsonString(),
            idp.Credentials);
        using var outsider = estate.As(TaskEstate.Outsider);

        var (named, namedBody) = await ExchangeAsync(outsider, UserToken(TaskEstate.Outsider), extra: [new("audience", Billing)]);
        var (other, otherBody) = await ExchangeAsync(outsider, UserToken(TaskEstate.Helper), extra: [new("audience", Billing)]);

        Assert.True(named == 200, namedBody.ToString());
        Assert.True(other == 400, otherBody.ToString());
    }
}
