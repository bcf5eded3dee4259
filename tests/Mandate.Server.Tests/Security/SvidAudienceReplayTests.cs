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
/// L10: a relying party that received a JWT-SVID addressed to it and to Mandate cannot replay it at Mandate: a JWT-SVID
/// presented to Mandate (bearer, actor token, client assertion) must have Mandate as its only audience.
/// </summary>
public sealed class SvidAudienceReplayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What the helper would send to the billing service, also listing Mandate among the audiences.</summary>
    private static string SharedAudienceSvid(TaskEstate estate) =>
        estate.Server.Services.GetRequiredService<JwtSvidIssuer>()
            .Issue(SpiffeId.Parse(TaskEstate.Helper), [TaskEstate.Outsider, estate.Issuer], TimeSpan.FromMinutes(10)).Token;

    [Fact]
    public async Task SharedAudienceSvid_ShouldNotAuthenticateAsBearer_WhenARelyingPartyReplaysIt()
    {
        await using var estate = await TaskEstate.StartAsync();
        using var replayer = new HttpClient { BaseAddress = estate.Server.Address };
        replayer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SharedAudienceSvid(estate));

        using var issued = await replayer.PostAsJsonAsync("/v1/svid/jwt", new { audiences = new[] { TaskEstate.Outsider } }, Ct);
        using var tasks = await replayer.GetAsync("/v1/tasks", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, issued.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, tasks.StatusCode);
    }

    [Fact]
    public async Task SharedAudienceSvid_ShouldNotBeAcceptedAsClientAssertion()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, token, _) = await estate.OpenAsync(TaskEstate.Agent, TaskEstate.Intent(delegates: [TaskEstate.Helper]));
        var replayed = SharedAudienceSvid(estate);

        using var anonymous = new HttpClient { BaseAddress = estate.Server.Address };
        using var exchange = await anonymous.PostAsync(
            "/oauth2/token",
            ExchangeForm(
                token,
                estate.Svid(TaskEstate.Helper),
                new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                new("client_assertion", replayed)),
            Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, exchange.StatusCode);
    }

    [Fact]
    public async Task SharedAudienceSvid_ShouldNotBeAcceptedAsActorToken()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, token, _) = await estate.OpenAsync(TaskEstate.Agent, TaskEstate.Intent(delegates: [TaskEstate.Helper]));

        using var client = estate.As(TaskEstate.Agent);
        using var exchange = await client.PostAsync("/oauth2/token", ExchangeForm(token, SharedAudienceSvid(estate)), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, exchange.StatusCode);
        Assert.Contains("actor_token", await exchange.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
