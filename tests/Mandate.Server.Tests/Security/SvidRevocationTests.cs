using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Server.Tests.Security.LifecycleEstate;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// L2: a JWT-SVID revoked at <c>/oauth2/revoke</c> is dead by its <c>jti</c> everywhere SVIDs are checked (bearer
/// authentication, introspection, <c>/v1/svid/validate</c>, actor token, client assertion), never a silent success.
/// </summary>
public sealed class SvidRevocationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The SVID's subject revokes it, authenticating with another SVID of its own.</summary>
    private static async Task RevokeAsync(TaskEstate estate, string svid)
    {
        using var holder = estate.As(Victim);
        using var response = await holder.PostAsync("/oauth2/revoke", new FormUrlEncodedContent([new("token", svid)]), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RevokedJwtSvid_ShouldNotAuthenticateAsBearer()
    {
        await using var estate = await LifecycleEstate.StartAsync("revoke");
        var svid = estate.Svid(Victim);
        using var client = new HttpClient { BaseAddress = estate.Server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", svid);
        using (var before = await client.PostAsJsonAsync("/v1/svid/jwt", new { audiences = new[] { TaskEstate.Outsider } }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await RevokeAsync(estate, svid);

        using var after = await client.PostAsJsonAsync("/v1/svid/jwt", new { audiences = new[] { TaskEstate.Outsider } }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task RevokedJwtSvid_ShouldIntrospectInactive()
    {
        await using var estate = await LifecycleEstate.StartAsync("revoke");
        var svid = estate.Svid(Victim);
        Assert.True((await estate.IntrospectAsync(svid)).GetProperty("active").GetBoolean());

        await RevokeAsync(estate, svid);

        Assert.False((await estate.IntrospectAsync(svid)).GetProperty("active").GetBoolean());
        Assert.True((await estate.IntrospectAsync(estate.Svid(Victim))).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task RevokedJwtSvid_ShouldFailValidationByARelyingParty()
    {
        await using var estate = await LifecycleEstate.StartAsync("revoke");
        var svid = estate.Server.Services.GetRequiredService<JwtSvidIssuer>().Issue(SpiffeId.Parse(Victim), [TaskEstate.Outsider], TimeSpan.FromMinutes(10)).Token;
        using var relyingParty = estate.As(TaskEstate.Outsider);
        using (var before = await relyingParty.PostAsJsonAsync("/v1/svid/validate", new { token = svid }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await RevokeAsync(estate, svid);

        using var after = await relyingParty.PostAsJsonAsync("/v1/svid/validate", new { token = svid }, Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, after.StatusCode);
    }

    [Fact]
    public async Task RevokedJwtSvid_ShouldNotBeAcceptedAsActorToken()
    {
        await using var estate = await LifecycleEstate.StartAsync("revoke");
        var (_, token, _) = await estate.OpenAsync(TaskEstate.Agent, TaskEstate.Intent(delegates: [Victim]));
        var actorToken = estate.Svid(Victim);

        await RevokeAsync(estate, actorToken);

        using var client = estate.As(TaskEstate.Agent);
        using var exchange = await client.PostAsync("/oauth2/token", ExchangeForm(token, actorToken), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, exchange.StatusCode);
    }

    [Fact]
    public async Task RevokedJwtSvid_ShouldNotAuthenticateAsClientAssertion()
    {
        await using var estate = await LifecycleEstate.StartAsync("revoke");
        var (_, token, _) = await estate.OpenAsync(TaskEstate.Agent, TaskEstate.Intent(delegates: [Victim]));
        var assertion = estate.Svid(Victim);

        await RevokeAsync(estate, assertion);

        using var anonymous = new HttpClient { BaseAddress = estate.Server.Address };
        using var exchange = await anonymous.PostAsync(
            "/oauth2/token",
            ExchangeForm(
                token,
                estate.Svid(Victim),
                new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                new("client_assertion", assertion)),
            Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, exchange.StatusCode);
    }
}
