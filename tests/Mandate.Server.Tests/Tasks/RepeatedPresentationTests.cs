using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Credentials;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Tasks;

/// <summary>
/// A credential presented again and again (an agent behind the MCP gateway) is verified from remembered signature
/// checks: each presentation must still see what changed since the last one (revocation, suspension of the identity,
/// expiry), and a token that differs in any byte from a remembered one is verified from scratch.
/// </summary>
public sealed class RepeatedPresentationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AllowedTwice_ThenRevoked_ShouldBeDeniedAtOnce()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (taskId, token, _) = await estate.OpenAsync();
        Assert.True((await EvaluateAsync(estate, token)).Allowed);
        Assert.True((await EvaluateAsync(estate, token)).Allowed);

        // The second presentation was verified from the remembered signature check.
        Assert.True(estate.Server.Services.GetRequiredService<TokenValidator>().RememberedSignatures > 0);

        using (var revoke = await estate.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "task", target = taskId, reason = "test" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, revoke.StatusCode);
        }

        var after = await EvaluateAsync(estate, token);
        Assert.False(after.Allowed);
        Assert.Equal("invalid_token", after.Reason);
    }

    [Fact]
    public async Task AllowedTwice_ThenIdentitySuspended_ShouldBeDenied_AndAllowedAgainWhenReactivated()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, token, _) = await estate.OpenAsync();
        Assert.True((await EvaluateAsync(estate, token)).Allowed);
        Assert.True((await EvaluateAsync(estate, token)).Allowed);

        using (var suspend = await estate.Admin.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = TaskEstate.Agent, reason = "test" }, Ct))
        {
            Assert.True(suspend.IsSuccessStatusCode, await suspend.Content.ReadAsStringAsync(Ct));
        }

        Assert.False((await EvaluateAsync(estate, token)).Allowed);

        using (var reactivate = await estate.Admin.PostAsJsonAsync("/v1/identities/reactivate", new { spiffe_id = TaskEstate.Agent, reason = "test" }, Ct))
        {
            Assert.True(reactivate.IsSuccessStatusCode, await reactivate.Content.ReadAsStringAsync(Ct));
        }

        Assert.True((await EvaluateAsync(estate, token)).Allowed);
    }

    [Fact]
    public async Task AllowedOnce_ThenExpired_ShouldBeDenied()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, token, _) = await estate.OpenAsync(ttlSeconds: 60);
        Assert.True((await EvaluateAsync(estate, token)).Allowed);

        estate.Clock.Advance(TimeSpan.FromMinutes(5));
        var verification = await estate.Server.Services.GetRequiredService<ICredentialVerifier>().VerifyAsync(token, Ct);
        Assert.False(verification.Valid);
        Assert.Contains("expired", verification.Description, StringComparison.Ordinal);
        Assert.False((await EvaluateAsync(estate, token)).Allowed);
    }

    [Fact]
    public async Task ATokenWithAnotherSignature_ShouldNotPassOnTheRememberedOne()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, token, _) = await estate.OpenAsync();
        Assert.True((await EvaluateAsync(estate, token)).Allowed);

        // The same header and claims under a signature that is not Mandate's.
        var parts = token.Split('.');
        var signature = parts[2].ToCharArray();
        signature[4] = signature[4] == 'A' ? 'B' : 'A';
        var forged = parts[0] + "." + parts[1] + "." + new string(signature);
        var denied = await EvaluateAsync(estate, forged);
        Assert.False(denied.Allowed);
        Assert.Equal("invalid_token", denied.Reason);

        // The remembered token itself still passes.
        Assert.True((await EvaluateAsync(estate, token)).Allowed);
    }

    [Fact]
    public async Task WithTheCacheOff_NothingIsRemembered_AndRevocationStillHolds()
    {
        await using var estate = await TaskEstate.StartAsync(configureBuilder: b => b.Configuration["Mandate:Identity:ValidatedTokenCacheSize"] = "0");
        var (taskId, token, _) = await estate.OpenAsync();
        Assert.True((await EvaluateAsync(estate, token)).Allowed);
        Assert.True((await EvaluateAsync(estate, token)).Allowed);
        Assert.Equal(0, estate.Server.Services.GetRequiredService<TokenValidator>().RememberedSignatures);

        (await estate.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "task", target = taskId, reason = "test" }, Ct)).Dispose();
        Assert.False((await EvaluateAsync(estate, token)).Allowed);
    }

    private static async Task<(bool Allowed, string? Reason)> EvaluateAsync(TaskEstate estate, string token)
    {
        using var response = await estate.Admin.PostAsJsonAsync("/access/v1/evaluation", new
        {
            subject = new { type = "Workload", id = TaskEstate.Agent },
            action = new { name = "read" },
            resource = new { type = "Ticket", id = "T-1" },
            context = new { credential = token },
        }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var json = JsonDocument.Parse(body).RootElement;
        var reason = json.TryGetProperty("context", out var context) && context.TryGetProperty("reason", out var r) ? r.GetString() : null;
        return (json.GetProperty("decision").GetBoolean(), reason);
    }
}
