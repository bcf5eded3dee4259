using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// The task estate plus a victim identity whose lifecycle the attacks end (suspend, revoke, offboard, or its expiry
/// passing), and a policy that permits a credential-less call so that decisions without a credential can be probed.
/// </summary>
internal static class LifecycleEstate
{
    public const string Victim = "spiffe://demo.mandate.local/agent/victim";

    /// <summary>The ways an identity stops being active.</summary>
    public static TheoryData<string> Endings => new() { "suspend", "revoke", "offboard", "expire" };

    private const string Policies = """
        @id("open-tasks")
        permit (principal, action == Action::"OpenTask", resource is Task)
        when { context.task.sensitivity_ceiling_level <= 2 };

        @id("read-tickets-in-task")
        permit (principal, action == Action::"read", resource is Ticket)
        when { context has task };

        @id("ping-without-credential")
        permit (principal, action == Action::"ping", resource is Service);
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A task estate with <see cref="Victim"/> registered; for <c>expire</c> it expires in five minutes.</summary>
    public static async Task<TaskEstate> StartAsync(string ending)
    {
        var data = Path.Combine(Path.GetTempPath(), "mandate-tests", "lifecycle-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "policies.cedar"), Policies, Ct);
        await File.WriteAllTextAsync(Path.Combine(data, "entities.json"), "[]", Ct);
        var estate = await TaskEstate.StartAsync(o => o.DataDirectory = data);
        await estate.RegisterAsync(Victim, ending == "expire" ? TimeSpan.FromMinutes(5) : TimeSpan.FromDays(30), "lifecycle attacks");
        return estate;
    }

    /// <summary>Ends <paramref name="spiffeId"/> through the admin API, or lets its expiry pass.</summary>
    public static async Task EndAsync(TaskEstate estate, string ending, string spiffeId = Victim)
    {
        if (ending == "expire")
        {
            estate.Clock.Advance(TimeSpan.FromMinutes(6));
            return;
        }

        using var response = await estate.Admin.PostAsJsonAsync($"/v1/identities/{ending}", new { spiffe_id = spiffeId, reason = "security test" }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
    }

    /// <summary>One AuthZEN evaluation sent by the admin (an authenticated PEP); the decision and the response body.</summary>
    public static async Task<(bool Decision, JsonElement Body)> DecideAsync(
        TaskEstate estate, string subject, string action, string resourceType, string resourceId, string? credential = null)
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
        using var response = await estate.Admin.PostAsync("/access/v1/evaluation", content, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        return (body.GetProperty("decision").GetBoolean(), body);
    }

    /// <summary>A token exchange form: subject token, actor token, optional extra members (client authentication).</summary>
    public static FormUrlEncodedContent ExchangeForm(string subjectToken, string actorToken, params KeyValuePair<string, string>[] extra) =>
        new(
        [
            new("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            new("subject_token", subjectToken),
            new("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
            new("actor_token", actorToken),
            new("actor_token_type", "urn:ietf:params:oauth:token-type:jwt"),
            .. extra,
        ]);
}
