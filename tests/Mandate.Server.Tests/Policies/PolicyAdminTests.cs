using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Mandate.Core.Storage;
using Mandate.Server.Decisions;
using Mandate.Server.Policies;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Server.Tests.Decisions.AuthZenHttp;

namespace Mandate.Server.Tests.Policies;

/// <summary>The policy admin API, hot reload of <c>--data DIR</c>, policy errors and decision audit.</summary>
public sealed class PolicyAdminTests : IAsyncLifetime
{
    private const string AliceReadsRecord1 = """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}""";
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "mandate-policy-tests", Guid.NewGuid().ToString("N"));
    private MandateTestServer server = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(dataDirectory);
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Samples("authzen/certification")))
        {
            File.Copy(file, Path.Combine(dataDirectory, Path.GetFileName(file)));
        }

        server = await MandateTestServer.StartAsync(o =>
        {
            o.Demo = false;
            o.DataDirectory = dataDirectory;
        }, b => b.Configuration["Mandate:Decisions:AllowAnonymousPeps"] = "Loopback");
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Replace_ShouldRejectAnInvalidSet_KeepThePreviousOne_AndReportWhere()
    {
        using var admin = server.CreateAdminClient();
        var before = (await GetJsonAsync(admin, "/v1/policies")).GetProperty("version").GetString();

        var response = await admin.PutAsJsonAsync("/v1/policies", new { policies = new Dictionary<string, string> { ["broken.cedar"] = "permit (principal, action, resource)\nwhen { principal.x == };" } }, TestContext.Current.CancellationToken);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(AuthZenProblemTypes.PolicySetRejected, Code(problem));
        Assert.Contains("broken.cedar:2:", problem.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        var after = await GetJsonAsync(admin, "/v1/policies");
        Assert.Equal(before, after.GetProperty("version").GetString());
        Assert.Contains("broken.cedar", after.GetProperty("last_rejection").GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        var (_, decision, _) = await PostAsync(server.Client, "/access/v1/evaluation", AliceReadsRecord1);
        Assert.True(decision.GetProperty("decision").GetBoolean());
    }

    [Fact]
    public async Task Replace_ShouldRejectPoliciesThatDoNotValidateAgainstTheSchema()
    {
        using var admin = server.CreateAdminClient();
        var response = await admin.PutAsJsonAsync("/v1/policies", new
        {
            policies = new Dictionary<string, string> { ["p.cedar"] = "permit (principal, action == Action::\"read\", resource) when { principal.age > 3 };" },
            schema = "entity User = { name: String };\nentity Doc;\naction read appliesTo { principal: [User], resource: [Doc] };",
        }, TestContext.Current.CancellationToken);
        Assert.Equal(400, (int)response.StatusCode);
    }

    [Fact]
    public async Task Replace_ShouldActivateANewVersion_KeepEveryVersion_AndRollBack()
    {
        using var admin = server.CreateAdminClient();
        var original = (await GetJsonAsync(admin, "/v1/policies")).GetProperty("version").GetString()!;

        var response = await admin.PutAsJsonAsync("/v1/policies", new { policies = new Dictionary<string, string> { ["deny-all.cedar"] = "forbid (principal, action, resource);" } }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var replaced = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("version").GetString()!;
        var (_, denied, _) = await PostAsync(server.Client, "/access/v1/evaluation", AliceReadsRecord1);

        var versions = (await GetJsonAsync(admin, "/v1/policies/versions")).GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetString()).ToList();
        var stored = await GetJsonAsync(admin, "/v1/policies/versions/" + original);
        (await admin.PostAsync(new Uri($"/v1/policies/versions/{original}/activate", UriKind.Relative), null, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        var (_, allowedAgain, _) = await PostAsync(server.Client, "/access/v1/evaluation", AliceReadsRecord1);

        Assert.NotEqual(original, replaced);
        Assert.False(denied.GetProperty("decision").GetBoolean());
        Assert.Contains(original, versions);
        Assert.Contains(replaced, versions);
        Assert.True(stored.GetProperty("bundle").GetProperty("policies").TryGetProperty("policies.cedar", out _));
        Assert.True(allowedAgain.GetProperty("decision").GetBoolean());
    }

    [Fact]
    public async Task Rollback_ShouldLeaveTheVersionAsFirstRecorded_AndBeANewActivationAndEvent()
    {
        using var admin = server.CreateAdminClient();
        var ct = TestContext.Current.CancellationToken;
        var original = (await GetJsonAsync(admin, "/v1/policies")).GetProperty("version").GetString()!;
        var recorded = await GetJsonAsync(admin, "/v1/policies/versions/" + original);
        (await admin.PutAsJsonAsync("/v1/policies", new { policies = new Dictionary<string, string> { ["deny-all.cedar"] = "forbid (principal, action, resource);" } }, ct)).EnsureSuccessStatusCode();
        var replaced = (await GetJsonAsync(admin, "/v1/policies")).GetProperty("version").GetString()!;

        // No body: back to the version active before the current one.
        using var rollback = await admin.PostAsync(new Uri("/v1/policies/rollback", UriKind.Relative), null, ct);
        Assert.Equal(200, (int)rollback.StatusCode);
        Assert.Equal(original, (await rollback.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("version").GetString());

        var after = await GetJsonAsync(admin, "/v1/policies/versions/" + original);
        Assert.Equal(recorded.GetProperty("origin").GetString(), after.GetProperty("origin").GetString());
        Assert.StartsWith("data:", after.GetProperty("origin").GetString(), StringComparison.Ordinal);
        Assert.Equal(recorded.GetProperty("actor").GetString(), after.GetProperty("actor").GetString());
        Assert.Equal(recorded.GetProperty("created_at").GetDateTimeOffset(), after.GetProperty("created_at").GetDateTimeOffset());
        Assert.True(after.GetProperty("activated_at").GetDateTimeOffset() > recorded.GetProperty("activated_at").GetDateTimeOffset());

        var history = (await GetJsonAsync(admin, "/v1/policies/activations")).GetProperty("activations").EnumerateArray().ToList();
        Assert.Equal(("rollback", original, replaced), (history[0].GetProperty("kind").GetString(), history[0].GetProperty("version").GetString(), history[0].GetProperty("previous_version").GetString()));
        Assert.Equal(("activation", replaced), (history[1].GetProperty("kind").GetString(), history[1].GetProperty("version").GetString()));
        Assert.Equal(("activation", original), (history[2].GetProperty("kind").GetString(), history[2].GetProperty("version").GetString()));

        var events = (await GetJsonAsync(admin, "/v1/audit/events?type=policy.")).GetProperty("events").EnumerateArray().ToList();
        var rolledBack = Assert.Single(events, e => e.GetProperty("type").GetString() == "policy.rolled_back");
        Assert.Equal(original, rolledBack.GetProperty("policy_version").GetString());
        Assert.Equal(replaced, rolledBack.GetProperty("details").GetProperty("previous_version").GetString());
        Assert.Equal(recorded.GetProperty("origin").GetString(), rolledBack.GetProperty("details").GetProperty("version_origin").GetString());
        Assert.Equal(2, events.Count(e => e.GetProperty("type").GetString() == "policy.activated"));
        Assert.Equal("verified", (await GetJsonAsync(admin, "/v1/audit/verify")).GetProperty("status").GetString());

        using var unknown = await admin.PostAsJsonAsync("/v1/policies/rollback", new { version = "no-such-version" }, ct);
        Assert.Equal(404, (int)unknown.StatusCode);
    }

    [Fact]
    public async Task PolicyApi_ShouldRequireTheAdminToken()
    {
        var response = await server.Client.GetAsync(new Uri("/v1/policies", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(401, (int)response.StatusCode);
    }

    [Fact]
    public async Task DataDirectory_ShouldHotReload_AndKeepThePreviousSet_WhenAChangeIsInvalid()
    {
        var watcher = server.Services.GetRequiredService<PolicyStartup>().Watcher!;

        await ChangeAndWaitAsync(watcher, () => File.WriteAllText(Path.Combine(dataDirectory, "zz-forbid.cedar"), "@id(\"no-reads\")\nforbid (principal, action == Action::\"read\", resource);"));
        var (_, afterValid, _) = await PostAsync(server.Client, "/access/v1/evaluation", AliceReadsRecord1);
        Assert.False(afterValid.GetProperty("decision").GetBoolean());

        await ChangeAndWaitAsync(watcher, () => File.WriteAllText(Path.Combine(dataDirectory, "zz-forbid.cedar"), "forbid (principal, action, resource"));
        var (_, afterInvalid, _) = await PostAsync(server.Client, "/access/v1/evaluation", AliceReadsRecord1);
        Assert.False(afterInvalid.GetProperty("decision").GetBoolean());
        using var admin = server.CreateAdminClient();
        var ready = await admin.GetAsync(new Uri("/readyz", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(503, (int)ready.StatusCode);
        Assert.Contains("zz-forbid.cedar:1:", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        await ChangeAndWaitAsync(watcher, () => File.Delete(Path.Combine(dataDirectory, "zz-forbid.cedar")));
        var (_, afterDelete, _) = await PostAsync(server.Client, "/access/v1/evaluation", AliceReadsRecord1);
        Assert.True(afterDelete.GetProperty("decision").GetBoolean());
        Assert.Equal(200, (int)(await server.Client.GetAsync(new Uri("/readyz", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task PolicyError_ShouldDeny_AndNameThePolicy_EvenWhenAnotherPolicyPermits()
    {
        using var admin = server.CreateAdminClient();
        var response = await admin.PutAsJsonAsync("/v1/policies", new
        {
            policies = new Dictionary<string, string>
            {
                ["p.cedar"] = "@id(\"allow-all\")\npermit (principal, action, resource);\n@id(\"broken-forbid\")\nforbid (principal, action, resource) when { principal.clearance < 3 };",
            },
        }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();

        var (_, body, _) = await PostAsync(admin, "/access/v1/evaluation", AliceReadsRecord1);

        Assert.False(body.GetProperty("decision").GetBoolean());
        Assert.Equal("broken-forbid", body.GetProperty("context").GetProperty("errors")[0].GetProperty("policy_id").GetString());
    }

    [Fact]
    public async Task Deny_ShouldBeAudited_WithThePolicyVersion()
    {
        var (_, body, response) = await PostAsync(server.Client, "/access/v1/evaluation", """{"subject":{"type":"user","id":"bob"},"action":{"name":"write"},"resource":{"type":"record","id":"record-1"}}""");
        var decisionId = body.GetProperty("context").GetProperty("decision_id").GetString()!;
        var version = response.Headers.GetValues("X-Mandate-Policy-Version").Single();
        await server.Services.GetRequiredService<DecisionAuditQueue>().FlushAsync(TestContext.Current.CancellationToken);

        var store = server.Services.GetRequiredService<IMandateStore>();
        await using var session = await store.BeginAsync(StoreIntent.Read, TestContext.Current.CancellationToken);
        JsonElement? audited = null;
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, TestContext.Current.CancellationToken))
        {
            var json = JsonDocument.Parse(record.CanonicalJson).RootElement;
            if (json.TryGetProperty("details", out var details) && details.TryGetProperty("decision_id", out var id) && id.GetString() == decisionId)
            {
                audited = json.Clone();
            }
        }

        Assert.NotNull(audited);
        Assert.Equal("deny", audited.Value.GetProperty("decision").GetString());
        Assert.Equal(version, audited.Value.GetProperty("policy_version").GetString());
        Assert.Equal("user::\"bob\"", audited.Value.GetProperty("subject").GetString());
    }

    private static async Task ChangeAndWaitAsync(Core.Policies.PolicyDirectoryWatcher watcher, Action change)
    {
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReloaded(object? sender, EventArgs e) => reloaded.TrySetResult();
        watcher.Reloaded += OnReloaded;
        try
        {
            change();
            await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        }
        finally
        {
            watcher.Reloaded -= OnReloaded;
        }
    }
}
