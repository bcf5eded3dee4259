using System.Text.Json.Nodes;
using Mandate.Core.Credentials;
using Mandate.Core.Delegation;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Server.Tests.Security.DelegationAttack;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// C1: an actor token proves the acting party itself (its own JWT-SVID). A delegated or task token, whose authority is
/// someone else's, is never an actor token; a token minted with an actor token dies with it; the ledger names the party
/// that really acted.
/// </summary>
public sealed class ActorTokenConfusionTests
{
    [Fact]
    public async Task ActorToken_ShouldBeRefused_WhenItIsADelegatedToken()
    {
        await using var estate = await StartDemoAsync();
        // SA opens a read-only task delegating to TS, and TS legitimately exchanges it: L1 (sub=SA, act=TS).
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [TaskEstate.SubAgent]));
        var l1 = await DelegateAsync(estate, saTask, TaskEstate.SubAgent);
        // TS opens its own broad task and presents L1 as the actor token, hoping to act "as SA" with read and write.
        var (_, tsTask, _) = await estate.OpenAsync(TaskEstate.SubAgent, Intent(["read", "write"], []));
        using var ts = estate.As(TaskEstate.SubAgent);

        var (status, body) = await ExchangeAsync(ts, tsTask, l1, AccessTokenType);

        Assert.True(status == 400, body.ToString());
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.Contains("actor_token", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        // The ledger never says SA acted in an exchange it took no part in; the refusal names the client that asked.
        Assert.DoesNotContain(await estate.AuditAsync("credential.exchanged"), e => e.GetProperty("actor").GetString() == TaskEstate.Agent);
        Assert.Contains(await estate.AuditAsync("delegation.exchange_refused"), e => e.GetProperty("actor").GetString() == TaskEstate.SubAgent);
    }

    [Fact]
    public async Task ActorToken_ShouldBeRefused_WhenItIsATaskCredential()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [TaskEstate.SubAgent]));
        var (_, tsTask, _) = await estate.OpenAsync(TaskEstate.SubAgent, Intent(["read"], []));
        using var ts = estate.As(TaskEstate.SubAgent);

        var (status, body) = await ExchangeAsync(ts, saTask, tsTask, AccessTokenType);

        Assert.True(status == 400, body.ToString());
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ActorToken_ShouldBeRefused_WhenItIsAnotherWorkloadsSvid()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [TaskEstate.SubAgent, TaskEstate.Helper]));
        // The helper authenticates as itself but presents the summarizer's SVID as the actor: it would act under TS's name.
        using var helper = estate.As(TaskEstate.Helper);

        var (status, body) = await ExchangeAsync(helper, saTask, estate.Svid(TaskEstate.SubAgent));

        Assert.True(status == 400, body.ToString());
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ActorToken_ShouldBeRefused_WhenAForeignIssuerClaimsAWorkloadOfMandatesTrustDomain()
    {
        using var idp = new TestKey("idp");
        await using var estate = await StartDemoAsync(b => b.Services.PostConfigure<TokenExchangeOptions>(o =>
            o.TrustedIssuers.Add(new TrustedIssuerOptions { Issuer = "https://idp.example.com", Jwks = idp.Jwks() })));
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [TaskEstate.SubAgent]));
        var now = estate.Clock.GetUtcNow().ToUnixTimeSeconds();
        // A trusted partner IdP mints a token saying it is the summarizer: only Mandate's key ring speaks for its workloads.
        var spoofed = TestKey.Sign(
            new JsonObject { ["iss"] = "https://idp.example.com", ["sub"] = TaskEstate.SubAgent, ["aud"] = estate.Issuer, ["exp"] = now + 300 }.ToJsonString(),
            idp.Credentials);
        using var ts = estate.As(TaskEstate.SubAgent);

        var (status, body) = await ExchangeAsync(ts, saTask, spoofed);

        Assert.True(status == 400, body.ToString());
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task DelegatedToken_ShouldDie_WhenItsActorTokenDies()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [TaskEstate.SubAgent]));
        var shortSvid = estate.Server.Services.GetRequiredService<JwtSvidIssuer>()
            .Issue(SpiffeId.Parse(TaskEstate.SubAgent), [estate.Issuer], TimeSpan.FromMinutes(2));
        using var ts = estate.As(TaskEstate.SubAgent);
        var (status, body) = await ExchangeAsync(ts, saTask, shortSvid.Token);
        Assert.True(status == 200, body.ToString());
        var delegated = body.GetProperty("access_token").GetString()!;

        // The issued token carries the actor token's jti in its lineage (revoking the actor token revokes it) ...
        var lineage = TaskEstate.Claims(delegated).GetProperty("mandate_lineage").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(shortSvid.Jti, lineage);
        // ... and never outlives it.
        Assert.True(TaskEstate.Claims(delegated).GetProperty("exp").GetInt64() <= shortSvid.ExpiresAt.ToUnixTimeSeconds());
        estate.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.False((await estate.IntrospectAsync(delegated)).GetProperty("active").GetBoolean());
        Assert.True((await estate.IntrospectAsync(saTask)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task DelegatedToken_ShouldDie_WhenItsActorTokenIsRevoked()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [TaskEstate.SubAgent]));
        var actorSvid = estate.Server.Services.GetRequiredService<JwtSvidIssuer>()
            .Issue(SpiffeId.Parse(TaskEstate.SubAgent), [estate.Issuer], TimeSpan.FromMinutes(30));
        using var ts = estate.As(TaskEstate.SubAgent);
        var (status, body) = await ExchangeAsync(ts, saTask, actorSvid.Token);
        Assert.True(status == 200, body.ToString());
        var delegated = body.GetProperty("access_token").GetString()!;
        Assert.True((await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", delegated)).Decision);

        // The actor's SVID is revoked by jti (the revocation set every verification consults).
        estate.Server.Services.GetRequiredService<IRevocationSet>().Add([actorSvid.Jti]);

        Assert.False((await estate.IntrospectAsync(delegated)).GetProperty("active").GetBoolean());
        Assert.False((await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", delegated)).Decision);
        Assert.True((await estate.IntrospectAsync(saTask)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Ledger_ShouldNameTheWorkloadThatReallyActed_InALegitimateExchange()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [TaskEstate.SubAgent]));
        _ = await DelegateAsync(estate, saTask, TaskEstate.SubAgent);

        var exchanged = Assert.Single(await estate.AuditAsync("credential.exchanged"));
        Assert.Equal(TaskEstate.SubAgent, exchanged.GetProperty("actor").GetString());
        Assert.Equal(TaskEstate.Agent, exchanged.GetProperty("subject").GetString());
    }
}
