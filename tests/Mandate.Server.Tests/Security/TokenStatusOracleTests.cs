using System.Net;
using System.Text.Json;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// L3: introspection and revocation are not an oracle on other parties' tokens. A workload introspects only tokens it
/// is subject, actor, client or audience of; revocation answers the same for every token string.
/// </summary>
public sealed class TokenStatusOracleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> IntrospectAsAsync(TaskEstate estate, string caller, string token)
    {
        using var client = estate.As(caller);
        using var response = await client.PostAsync("/oauth2/introspect", new FormUrlEncodedContent([new("token", token)]), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task Introspection_ShouldAnswerInactive_WhenTheCallingWorkloadHasNoPartInTheToken()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, token, _) = await estate.OpenAsync(TaskEstate.Agent);

        var answer = await IntrospectAsAsync(estate, TaskEstate.Outsider, token);

        Assert.False(answer.GetProperty("active").GetBoolean());
        Assert.False(answer.TryGetProperty("sub", out _));
        Assert.True((await estate.IntrospectAsync(token)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Introspection_ShouldStillAnswer_TheTokensSubjectActorAndAudience()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, token, _) = await estate.OpenAsync(TaskEstate.Agent);
        using var exchange = await estate.ExchangeAsync(token, TaskEstate.SubAgent, scope: "read");
        var delegated = JsonDocument.Parse(await exchange.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("access_token").GetString()!;
        var addressed = estate.Server.Services.GetRequiredService<JwtSvidIssuer>()
            .Issue(SpiffeId.Parse(TaskEstate.Helper), [TaskEstate.Outsider], TimeSpan.FromMinutes(5)).Token;

        Assert.True((await IntrospectAsAsync(estate, TaskEstate.Agent, token)).GetProperty("active").GetBoolean());
        Assert.True((await IntrospectAsAsync(estate, TaskEstate.SubAgent, delegated)).GetProperty("active").GetBoolean());
        Assert.True((await IntrospectAsAsync(estate, TaskEstate.Outsider, addressed)).GetProperty("active").GetBoolean());
        Assert.False((await IntrospectAsAsync(estate, TaskEstate.SubAgent, addressed)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Revoke_ShouldAnswerLikeForAnUnknownToken_WhenTheCallerMayNotRevokeIt()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, token, _) = await estate.OpenAsync(TaskEstate.Agent);
        using var outsider = estate.As(TaskEstate.Outsider);

        using var someoneElses = await outsider.PostAsync("/oauth2/revoke", new FormUrlEncodedContent([new("token", token)]), Ct);
        using var unknown = await outsider.PostAsync("/oauth2/revoke", new FormUrlEncodedContent([new("token", "not-a-token")]), Ct);

        Assert.Equal(unknown.StatusCode, someoneElses.StatusCode);
        Assert.Equal(HttpStatusCode.OK, someoneElses.StatusCode);
        Assert.Equal(await unknown.Content.ReadAsStringAsync(Ct), await someoneElses.Content.ReadAsStringAsync(Ct));
        Assert.True((await estate.IntrospectAsync(token)).GetProperty("active").GetBoolean());
    }
}
