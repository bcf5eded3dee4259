using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Mandate.Core.Detection;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Detection;

/// <summary>
/// Detection against a real server: the task estate (real SVIDs, tasks, exchange), the engine streaming its ledger, and
/// helpers that decide over HTTP, wait until the engine has read everything written so far, and read alerts over HTTP.
/// </summary>
internal static class DetectionEstate
{
    public const string Domain = "spiffe://demo.mandate.local/";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A task estate whose configuration gets <paramref name="settings"/> (keys under <c>Mandate:Detection:</c>).</summary>
    public static Task<TaskEstate> StartAsync(IReadOnlyDictionary<string, string>? settings = null, Action<MandateServerOptions>? configure = null) =>
        TaskEstate.StartAsync(configure, builder =>
        {
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                builder.Configuration["Mandate:Detection:" + key] = value;
            }
        });

    /// <summary>Registers a fresh agent identity named after <paramref name="what"/>.</summary>
    public static async Task<string> NewIdentityAsync(this TaskEstate estate, string what)
    {
        var id = Domain + "agent/" + what + "-" + Guid.NewGuid().ToString("N")[..8];
        await estate.RegisterAsync(id);
        return id;
    }

    /// <summary>A task for <paramref name="identity"/> (tickets, read and write, medium) and its credential.</summary>
    public static Task<(string TaskId, string Token, string Jti)> TaskForAsync(this TaskEstate estate, string identity) =>
        estate.OpenAsync(identity, TaskEstate.Intent(delegates: [TaskEstate.SubAgent]));

    /// <summary>One AuthZEN evaluation through <paramref name="pep"/> (the admin client when null).</summary>
    public static async Task<(bool Decision, JsonElement Body)> DecideAsync(
        this TaskEstate estate, string subject, string action, string resourceType, string resourceId, string? credential = null, HttpClient? pep = null)
    {
        var request = new Dictionary<string, object>
        {
            ["subject"] = new { type = "Workload", id = subject },
            ["action"] = new { name = action },
            ["resource"] = new { type = resourceType, id = resourceId },
        };
        if (credential is not null)
        {
            request["context"] = new { credential };
        }

        using var content = new StringContent(JsonSerializer.Serialize(request), Encoding.UTF8, "application/json");
        using var response = await (pep ?? estate.Admin).PostAsync("/access/v1/evaluation", content, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        return (body.GetProperty("decision").GetBoolean(), body);
    }

    /// <summary>
    /// Waits until the engine has processed every ledger record written so far (decisions queued behind their answers
    /// included), and until what it wrote in reaction (its own events) is processed too.
    /// </summary>
    public static async Task SettleAsync(this TaskEstate estate)
    {
        var services = estate.Server.Services;
        await services.GetRequiredService<DecisionAuditQueue>().FlushAsync(Ct);
        var engine = services.GetRequiredService<DetectionEngine>();
        var store = services.GetRequiredService<IMandateStore>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            long head;
            await using (var session = await store.BeginAsync(StoreIntent.Read, Ct))
            {
                head = (await session.Get<IAuditRepository>().GetHeadAsync(Ct))?.Sequence ?? 0;
            }

            if (engine.Cursor >= head)
            {
                await Task.Delay(50, Ct);
                await using var again = await store.BeginAsync(StoreIntent.Read, Ct);
                if ((await again.Get<IAuditRepository>().GetHeadAsync(Ct))?.Sequence == head && engine.Cursor >= head)
                {
                    return;
                }

                continue;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The detection engine did not reach ledger record {head} (it is at {engine.Cursor}).");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>The alerts <c>GET /v1/alerts</c> gives for the filters.</summary>
    public static async Task<List<JsonElement>> AlertsAsync(this TaskEstate estate, string? rule = null, string? identity = null)
    {
        var query = new List<string>();
        if (rule is not null)
        {
            query.Add("rule=" + Uri.EscapeDataString(rule));
        }

        if (identity is not null)
        {
            query.Add("identity=" + Uri.EscapeDataString(identity));
        }

        using var response = await estate.Admin.GetAsync("/v1/alerts?" + string.Join('&', query), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return [.. JsonDocument.Parse(text).RootElement.GetProperty("alerts").EnumerateArray().Select(a => a.Clone())];
    }

    /// <summary>The single alert of <paramref name="rule"/> about <paramref name="identity"/>, after the engine settled.</summary>
    public static async Task<JsonElement> SingleAlertAsync(this TaskEstate estate, string rule, string identity)
    {
        await estate.SettleAsync();
        var alerts = await estate.AlertsAsync(rule, identity);
        return Assert.Single(alerts);
    }

    /// <summary>Asserts, once the engine settled, that <paramref name="identity"/> has no alert of <paramref name="rule"/>.</summary>
    public static async Task AssertQuietAsync(this TaskEstate estate, string rule, string identity)
    {
        await estate.SettleAsync();
        Assert.Empty(await estate.AlertsAsync(rule, identity));
    }

    /// <summary>The admin revokes one credential by <c>jti</c>.</summary>
    public static async Task RevokeAsync(this TaskEstate estate, string jti)
    {
        using var response = await estate.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "credential", target = jti, reason = "detection test" }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>A token exchange with a fixed actor token (so a replay presents exactly the same inputs).</summary>
    public static async Task<HttpResponseMessage> ExchangeWithAsync(this TaskEstate estate, string subjectToken, string actorId, string actorToken, string? scope = null)
    {
        using var client = new HttpClient { BaseAddress = estate.Server.Address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", actorToken);
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            new("subject_token", subjectToken),
            new("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
            new("actor_token", actorToken),
            new("actor_token_type", "urn:ietf:params:oauth:token-type:jwt"),
        };
        if (scope is not null)
        {
            form.Add(new("scope", scope));
        }

        return await client.PostAsync("/oauth2/token", new FormUrlEncodedContent(form), Ct);
    }

    /// <summary>Evidence sequence numbers of an alert.</summary>
    public static List<long> Evidence(JsonElement alert) => [.. alert.GetProperty("evidence").EnumerateArray().Select(e => e.GetInt64())];

    /// <summary>Configures the builder (for callers that start their own server).</summary>
    public static Action<WebApplicationBuilder> Settings(IReadOnlyDictionary<string, string> settings) => builder =>
    {
        foreach (var (key, value) in settings)
        {
            builder.Configuration["Mandate:Detection:" + key] = value;
        }
    };
}
