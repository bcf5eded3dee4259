using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Tests.Tasks;
using static Mandate.Server.Tests.Security.LifecycleEstate;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// H2: once an identity is suspended, revoked, offboarded or past its expiry, every credential naming it — as subject
/// or anywhere in the <c>act</c> chain — stops at once on every path, and decisions naming it are denied.
/// </summary>
public sealed class InactiveIdentityCredentialTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Endings), MemberType = typeof(LifecycleEstate))]
    public async Task TaskToken_ShouldBeDeniedAtTheDecisionPoint_WhenItsSubjectIsNoLongerActive(string ending)
    {
        await using var estate = await LifecycleEstate.StartAsync(ending);
        var (_, token, _) = await estate.OpenAsync(Victim);
        Assert.True((await DecideAsync(estate, Victim, "read", "Ticket", "T-1", token)).Decision);

        await EndAsync(estate, ending);

        var (decision, body) = await DecideAsync(estate, Victim, "read", "Ticket", "T-1", token);
        Assert.False(decision, body.ToString());
    }

    [Theory]
    [MemberData(nameof(Endings), MemberType = typeof(LifecycleEstate))]
    public async Task TaskToken_ShouldIntrospectInactive_WhenItsSubjectIsNoLongerActive(string ending)
    {
        await using var estate = await LifecycleEstate.StartAsync(ending);
        var (_, token, _) = await estate.OpenAsync(Victim);
        Assert.True((await estate.IntrospectAsync(token)).GetProperty("active").GetBoolean());

        await EndAsync(estate, ending);

        Assert.False((await estate.IntrospectAsync(token)).GetProperty("active").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Endings), MemberType = typeof(LifecycleEstate))]
    public async Task JwtSvid_ShouldIntrospectInactive_WhenItsSubjectIsNoLongerActive(string ending)
    {
        await using var estate = await LifecycleEstate.StartAsync(ending);
        var svid = estate.Svid(Victim);
        Assert.True((await estate.IntrospectAsync(svid)).GetProperty("active").GetBoolean());

        await EndAsync(estate, ending);

        Assert.False((await estate.IntrospectAsync(svid)).GetProperty("active").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Endings), MemberType = typeof(LifecycleEstate))]
    public async Task SubjectToken_ShouldNotBeExchanged_WhenItsSubjectIsNoLongerActive(string ending)
    {
        await using var estate = await LifecycleEstate.StartAsync(ending);
        var (_, token, _) = await estate.OpenAsync(Victim, TaskEstate.Intent(delegates: [TaskEstate.SubAgent]));

        await EndAsync(estate, ending);

        using var exchange = await estate.ExchangeAsync(token, TaskEstate.SubAgent, scope: "read");
        var body = await exchange.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, exchange.StatusCode);
        Assert.Contains("subject_token", body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Endings), MemberType = typeof(LifecycleEstate))]
    public async Task ActorToken_ShouldNotBeAccepted_WhenTheActorIsNoLongerActive(string ending)
    {
        await using var estate = await LifecycleEstate.StartAsync(ending);
        var (_, token, _) = await estate.OpenAsync(TaskEstate.Agent, TaskEstate.Intent(delegates: [Victim]));
        var actorToken = estate.Svid(Victim);

        await EndAsync(estate, ending);

        // The delegator itself asks (so client authentication is not what stops it): only the actor token is dead.
        using var client = estate.As(TaskEstate.Agent);
        using var exchange = await client.PostAsync("/oauth2/token", ExchangeForm(token, actorToken), Ct);
        var body = await exchange.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, exchange.StatusCode);
        Assert.DoesNotContain("access_token", body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Endings), MemberType = typeof(LifecycleEstate))]
    public async Task DelegatedToken_ShouldDie_WhenItsActorIsNoLongerActive(string ending)
    {
        await using var estate = await LifecycleEstate.StartAsync(ending);
        var (_, token, _) = await estate.OpenAsync(TaskEstate.Agent, TaskEstate.Intent(delegates: [Victim]));
        using var exchange = await estate.ExchangeAsync(token, Victim, scope: "read");
        var exchanged = JsonDocument.Parse(await exchange.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(exchange.IsSuccessStatusCode, exchanged.ToString());
        var delegated = exchanged.GetProperty("access_token").GetString()!;
        Assert.True((await DecideAsync(estate, Victim, "read", "Ticket", "T-1", delegated)).Decision);

        await EndAsync(estate, ending);

        Assert.False((await DecideAsync(estate, Victim, "read", "Ticket", "T-1", delegated)).Decision);
        Assert.False((await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1", delegated)).Decision);
        Assert.False((await estate.IntrospectAsync(delegated)).GetProperty("active").GetBoolean());
        Assert.True((await estate.IntrospectAsync(token)).GetProperty("active").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Endings), MemberType = typeof(LifecycleEstate))]
    public async Task ClientAssertion_ShouldNotAuthenticate_WhenItsSubjectIsNoLongerActive(string ending)
    {
        await using var estate = await LifecycleEstate.StartAsync(ending);
        var (_, token, _) = await estate.OpenAsync(TaskEstate.Agent, TaskEstate.Intent(delegates: [Victim]));
        var svid = estate.Svid(Victim);

        await EndAsync(estate, ending);

        using var anonymous = new HttpClient { BaseAddress = estate.Server.Address };
        using var exchange = await anonymous.PostAsync(
            "/oauth2/token",
            ExchangeForm(
                token,
                svid,
                new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                new("client_assertion", svid)),
            Ct);
        var body = JsonDocument.Parse(await exchange.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(HttpStatusCode.Unauthorized, exchange.StatusCode);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
    }

    [Theory]
    [MemberData(nameof(Endings), MemberType = typeof(LifecycleEstate))]
    public async Task SvidIssuance_ShouldBeRefused_WhenTheIdentityIsNoLongerActive(string ending)
    {
        await using var estate = await LifecycleEstate.StartAsync(ending);
        using var victim = estate.As(Victim);

        await EndAsync(estate, ending);

        using var jwt = await victim.PostAsJsonAsync("/v1/svid/jwt", new { audiences = new[] { "spiffe://demo.mandate.local/svc/billing" } }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, jwt.StatusCode);
        Assert.Contains("identity-inactive", await jwt.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Endings), MemberType = typeof(LifecycleEstate))]
    public async Task DecisionWithoutCredential_ShouldBeDenied_WhenTheSubjectIsAnInactiveInventoryIdentity(string ending)
    {
        await using var estate = await LifecycleEstate.StartAsync(ending);
        Assert.True((await DecideAsync(estate, Victim, "ping", "Service", "api")).Decision);

        await EndAsync(estate, ending);

        var (decision, body) = await DecideAsync(estate, Victim, "ping", "Service", "api");
        Assert.False(decision, body.ToString());
        Assert.Equal("identity_inactive", body.GetProperty("context").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Reactivation_ShouldRestoreTheIdentitysCredentials_AfterASuspension()
    {
        await using var estate = await LifecycleEstate.StartAsync("suspend");
        var (_, token, _) = await estate.OpenAsync(Victim);
        await EndAsync(estate, "suspend");
        Assert.False((await estate.IntrospectAsync(token)).GetProperty("active").GetBoolean());

        using var reactivate = await estate.Admin.PostAsJsonAsync("/v1/identities/reactivate", new { spiffe_id = Victim, reason = "cleared" }, Ct);
        Assert.True(reactivate.IsSuccessStatusCode);

        Assert.True((await estate.IntrospectAsync(token)).GetProperty("active").GetBoolean());
        Assert.True((await DecideAsync(estate, Victim, "read", "Ticket", "T-1", token)).Decision);
    }
}
