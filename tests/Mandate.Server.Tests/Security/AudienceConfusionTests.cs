using Mandate.Server.Tests.Tasks;
using static Mandate.Server.Tests.Security.DelegationAttack;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// Exchange audiences are validated (an absolute URI or SPIFFE ID, no dot segments, fragments, whitespace or control
/// characters), and a credential minted for another audience is not accepted at Mandate's decision point.
/// </summary>
public sealed class AudienceConfusionTests
{
    [Theory]
    [InlineData("spiffe://demo.mandate.local/../evil.example/x")]
    [InlineData("spiffe://demo.mandate.local/svc/./billing")]
    [InlineData("spiffe://demo.mandate.local/svc/billing#admin")]
    [InlineData("spiffe://demo.mandate.local/svc/bil ling")]
    [InlineData("spiffe://demo.mandate.local/svc/billing\u0007")]
    [InlineData("spiffe://demo.mandate.local/svc/%2e%2e/billing")]
    public async Task Exchange_ShouldRefuse_AMalformedAudience(string audience)
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [TaskEstate.SubAgent]));
        using var ts = estate.As(TaskEstate.SubAgent);

        var (status, body) = await ExchangeAsync(ts, saTask, estate.Svid(TaskEstate.SubAgent), extra: [new("audience", audience)]);

        Assert.True(status == 400, body.ToString());
        Assert.Equal("invalid_target", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task CredentialMintedForAnotherAudience_ShouldBeDenied_AtTheDecisionPoint()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [TaskEstate.SubAgent]));
        using var ts = estate.As(TaskEstate.SubAgent);
        var (status, body) = await ExchangeAsync(ts, saTask, estate.Svid(TaskEstate.SubAgent), extra: [new("audience", "spiffe://demo.mandate.local/svc/billing")]);
        Assert.True(status == 200, body.ToString());
        var forBilling = body.GetProperty("access_token").GetString()!;
        var forMandate = await DelegateAsync(estate, saTask, TaskEstate.SubAgent);

        var (denied, deniedBody) = await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", forBilling);
        var (allowed, _) = await DecideAsync(estate, TaskEstate.Agent, "read", "Ticket", "T-1001", forMandate);

        Assert.False(denied, deniedBody.ToString());
        Assert.True(allowed);
    }

    [Fact]
    public async Task CredentialMintedForAnotherAudience_ShouldIntrospectInactive_ForAWorkloadItIsNotAddressedTo()
    {
        await using var estate = await StartDemoAsync();
        var (_, saTask, _) = await estate.OpenAsync(TaskEstate.Agent, Intent(["read"], [TaskEstate.SubAgent]));
        using var ts = estate.As(TaskEstate.SubAgent);
        var (status, body) = await ExchangeAsync(ts, saTask, estate.Svid(TaskEstate.SubAgent), extra: [new("audience", TaskEstate.Outsider)]);
        Assert.True(status == 200, body.ToString());
        var forBilling = body.GetProperty("access_token").GetString()!;

        async Task<bool> ActiveForAsync(string workload)
        {
            using var client = estate.As(workload);
            using var response = await client.PostAsync("/oauth2/introspect", new FormUrlEncodedContent([new("token", forBilling)]), TestContext.Current.CancellationToken);
            var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
            Assert.True(response.IsSuccessStatusCode, json.ToString());
            return json.GetProperty("active").GetBoolean();
        }

        Assert.False(await ActiveForAsync(TaskEstate.Helper));
        Assert.True(await ActiveForAsync(TaskEstate.Outsider));
        Assert.True((await estate.IntrospectAsync(forBilling)).GetProperty("active").GetBoolean());
    }
}
