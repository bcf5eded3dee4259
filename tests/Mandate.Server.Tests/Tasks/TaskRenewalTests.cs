using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Tasks;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Tests.Tasks;

/// <summary>A renewal replaces the task credential: the old one stops working at once, or after a configured grace.</summary>
public sealed class TaskRenewalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Renew_ShouldRevokeTheReplacedCredentialAndWhatWasExchangedFromIt_AtOnce_ByDefault()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (taskId, oldToken, oldJti) = await estate.OpenAsync();
        using var exchange = await estate.ExchangeAsync(oldToken, TaskEstate.SubAgent);
        var derived = JsonDocument.Parse(await exchange.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("access_token").GetString()!;

        var (newToken, newJti) = await RenewAsync(estate, taskId);

        Assert.NotEqual(oldJti, newJti);
        Assert.False((await estate.IntrospectAsync(oldToken)).GetProperty("active").GetBoolean());
        Assert.False((await estate.IntrospectAsync(derived)).GetProperty("active").GetBoolean());
        Assert.True((await estate.IntrospectAsync(newToken)).GetProperty("active").GetBoolean());

        // The old token can no longer be exchanged or renewed with; the new one can.
        using var stale = await estate.ExchangeAsync(oldToken, TaskEstate.SubAgent);
        Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
        using var fresh = await estate.ExchangeAsync(newToken, TaskEstate.SubAgent);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);

        var revoked = await estate.Admin.GetFromJsonAsync<JsonElement>($"/v1/audit/events?jti={oldJti}&type=credential.revoked", Ct);
        var revocation = Assert.Single(revoked.GetProperty("events").EnumerateArray());
        Assert.Contains("superseded by a renewal", revocation.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(TaskEstate.Agent, revocation.GetProperty("actor").GetString());
        var renewal = Assert.Single(await estate.AuditAsync("task.renewed"));
        Assert.Equal(oldJti, renewal.GetProperty("details").GetProperty("superseded_jtis").GetString());

        var credential = await estate.Admin.GetFromJsonAsync<JsonElement>($"/v1/credentials/{oldJti}", Ct);
        Assert.True(credential.TryGetProperty("revoked_at", out _), credential.ToString());
    }

    [Fact]
    public async Task Renew_WithAGrace_ShouldKeepTheReplacedCredentialValidUntilTheGraceEnds_ThenTheSweeperRevokesIt()
    {
        await using var estate = await TaskEstate.StartAsync(configureBuilder: b =>
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Mandate:Tasks:RenewalGrace"] = "00:02:00" }));
        var (taskId, oldToken, oldJti) = await estate.OpenAsync();
        var (newToken, _) = await RenewAsync(estate, taskId);
        var tasks = estate.Server.Services.GetRequiredService<TaskService>();

        Assert.True((await estate.IntrospectAsync(oldToken)).GetProperty("active").GetBoolean());
        Assert.Equal(0, await tasks.RevokeSupersededAsync(Ct));

        estate.Clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        await tasks.SweepAsync(Ct);

        Assert.False((await estate.IntrospectAsync(oldToken)).GetProperty("active").GetBoolean());
        Assert.True((await estate.IntrospectAsync(newToken)).GetProperty("active").GetBoolean());
        Assert.Equal(0, await tasks.RevokeSupersededAsync(Ct));
        var revoked = await estate.Admin.GetFromJsonAsync<JsonElement>($"/v1/audit/events?jti={oldJti}&type=credential.revoked", Ct);
        var revocation = Assert.Single(revoked.GetProperty("events").EnumerateArray());
        Assert.Equal("system", revocation.GetProperty("actor").GetString());
        Assert.Contains("grace period ended", revocation.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("02:00:00")]
    public async Task Start_ShouldRefuse_ANegativeRenewalGrace_OrOneLongerThanATask(string grace)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => MandateTestServer.StartAsync(
            configureBuilder: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Mandate:Tasks:RenewalGrace"] = grace })));

        Assert.Contains("Mandate:Tasks:RenewalGrace", error.Message, StringComparison.Ordinal);
    }

    private static async Task<(string Token, string Jti)> RenewAsync(TaskEstate estate, string taskId)
    {
        estate.Clock.Advance(TimeSpan.FromMinutes(1)); // a renewal must move the lease's end
        using var agent = estate.As(TaskEstate.Agent);
        using var response = await agent.PostAsJsonAsync($"/v1/tasks/{taskId}/renew", new { ttl_seconds = 600 }, Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        var credential = body.GetProperty("credential");
        return (credential.GetProperty("access_token").GetString()!, credential.GetProperty("jti").GetString()!);
    }
}
