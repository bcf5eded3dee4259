using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Server.Tests.Tasks;

/// <summary>
/// A real server with a small policy directory (opening tasks up to medium sensitivity is allowed) and registered
/// workloads that get real JWT-SVIDs from the identity service's issuer.
/// </summary>
internal sealed class TaskEstate : IAsyncDisposable
{
    public const string Agent = "spiffe://demo.mandate.local/agent/support-assistant";
    public const string SubAgent = "spiffe://demo.mandate.local/agent/ticket-summarizer";
    public const string Helper = "spiffe://demo.mandate.local/agent/helper";
    public const string Outsider = "spiffe://demo.mandate.local/svc/billing";

    private const string Policies = """
        @id("open-tasks")
        permit (principal, action == Action::"OpenTask", resource is Task)
        when { context.task.sensitivity_ceiling_level <= 2 };

        @id("read-tickets-in-task")
        permit (principal, action == Action::"read", resource is Ticket)
        when { context has task };
        """;

    private TaskEstate(MandateTestServer server, ManualClock clock)
    {
        Server = server;
        Clock = clock;
        Admin = server.CreateAdminClient();
    }

    public MandateTestServer Server { get; }

    public ManualClock Clock { get; }

    public HttpClient Admin { get; }

    public string Issuer => Server.Services.GetRequiredService<IKeyRing>().Issuer;

    public static async Task<TaskEstate> StartAsync(Action<MandateServerOptions>? configure = null, Action<WebApplicationBuilder>? configureBuilder = null, string? morePolicies = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "mandate-tests", "task-policies-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "policies.cedar"), Policies + morePolicies);
        await File.WriteAllTextAsync(Path.Combine(data, "entities.json"), "[]");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var server = await MandateTestServer.StartAsync(
            o =>
            {
                o.DataDirectory = data;
                configure?.Invoke(o);
            },
            builder =>
            {
                builder.Services.AddSingleton<TimeProvider>(clock);
                configureBuilder?.Invoke(builder);
            });
        var estate = new TaskEstate(server, clock);
        foreach (var id in new[] { Agent, SubAgent, Helper, Outsider })
        {
            await estate.RegisterAsync(id);
        }

        return estate;
    }

    /// <summary>Registers an active agent identity in the inventory (store and this node's directory).</summary>
    public async Task RegisterAsync(string spiffeId, TimeSpan? lifetime = null, string purpose = "task tests", string owner = "team:support")
    {
        var store = Server.Services.GetRequiredService<IMandateStore>();
        var now = Clock.GetUtcNow();
        var identity = new WorkloadIdentity
        {
            SpiffeId = spiffeId,
            Kind = NhiKind.Agent,
            Owner = owner,
            Purpose = purpose,
            Environment = "test",
            Status = IdentityStatus.Active,
            CreatedAt = now,
            ExpiresAt = now + (lifetime ?? TimeSpan.FromDays(30)),
            UpdatedAt = now,
        };
        await using (var session = await store.BeginAsync(StoreIntent.Write, TestContext.Current.CancellationToken))
        {
            await session.Get<IIdentityRepository>().InsertAsync(identity, TestContext.Current.CancellationToken);
            await session.CommitAsync(TestContext.Current.CancellationToken);
        }

        Server.Services.GetRequiredService<IdentityDirectory>().Apply(identity);
    }

    /// <summary>A JWT-SVID for <paramref name="spiffeId"/> addressed to Mandate.</summary>
    public string Svid(string spiffeId) =>
        Server.Services.GetRequiredService<JwtSvidIssuer>().Issue(SpiffeId.Parse(spiffeId), [Issuer], TimeSpan.FromMinutes(30)).Token;

    public HttpClient As(string spiffeId)
    {
        var client = new HttpClient { BaseAddress = Server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Svid(spiffeId));
        return client;
    }

    public static object Intent(string ceiling = "medium", string[]? delegates = null, string[]? actions = null) => new
    {
        description = "Summarize the customer's open tickets",
        actions = actions ?? ["read", "write"],
        resources = new[] { "Ticket" },
        sensitivity_ceiling = ceiling,
        destinations = Array.Empty<string>(),
        delegates = delegates ?? [SubAgent],
    };

    /// <summary>Opens a task as <paramref name="spiffeId"/>; returns the task id and the credential.</summary>
    public async Task<(string TaskId, string Token, string Jti)> OpenAsync(string spiffeId = Agent, object? intent = null, int ttlSeconds = 600)
    {
        using var client = As(spiffeId);
        using var response = await client.PostAsJsonAsync("/v1/tasks", new { intent = intent ?? Intent(), ttl_seconds = ttlSeconds }, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, body);
        var json = JsonDocument.Parse(body).RootElement;
        return (json.GetProperty("task").GetProperty("id").GetString()!,
            json.GetProperty("credential").GetProperty("access_token").GetString()!,
            json.GetProperty("credential").GetProperty("jti").GetString()!);
    }

    /// <summary>Exchanges as <paramref name="actorId"/> (client and actor) for a token acting for the subject token.</summary>
    public async Task<HttpResponseMessage> ExchangeAsync(string subjectToken, string actorId, string? scope = null)
    {
        using var client = As(actorId);
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            new("subject_token", subjectToken),
            new("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
            new("actor_token", Svid(actorId)),
            new("actor_token_type", "urn:ietf:params:oauth:token-type:jwt"),
        };
        if (scope is not null)
        {
            form.Add(new("scope", scope));
        }

        return await client.PostAsync("/oauth2/token", new FormUrlEncodedContent(form), TestContext.Current.CancellationToken);
    }

    public async Task<JsonElement> IntrospectAsync(string token)
    {
        using var response = await Admin.PostAsync("/oauth2/introspect", new FormUrlEncodedContent([new("token", token)]), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
    }

    public async Task<List<JsonElement>> AuditAsync(string type)
    {
        // Decision events are written behind the answer: wait until the ones already decided are in the ledger.
        await Server.Services.GetRequiredService<DecisionAuditQueue>().FlushAsync(TestContext.Current.CancellationToken);
        var store = Server.Services.GetRequiredService<IMandateStore>();
        var found = new List<JsonElement>();
        await using var session = await store.BeginAsync(StoreIntent.Read, TestContext.Current.CancellationToken);
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, TestContext.Current.CancellationToken))
        {
            var body = JsonDocument.Parse(record.CanonicalJson).RootElement;
            if (body.GetProperty("type").GetString() == type)
            {
                found.Add(body.Clone());
            }
        }

        return found;
    }

    public static JsonElement Claims(string jwt) =>
        JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.Split('.')[1])).RootElement.Clone();

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Server.DisposeAsync();
    }
}
