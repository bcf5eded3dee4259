using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Policies;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Mandate.Server.Tests.Decisions.AuthZenHttp;

namespace Mandate.Server.Tests.Policies;

/// <summary>
/// Nodes sharing one PostgreSQL schema: a policy activation or rollback committed on one node is enforced by the others
/// (announced at commit), and a node that missed the announcement catches up by comparing activation sequences, after
/// its listener reconnects or at its periodic check.
/// </summary>
public sealed class PolicyFanOutTests
{
    private const string AliceReadsRecord1 = """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}""";
    private const string PermitAll = "permit (principal, action, resource);";
    private const string ForbidAll = "forbid (principal, action, resource);";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task ActivationAndRollback_OnOneNode_ShouldBeEnforcedByTheOther_ThroughNotify()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var state = NewStateDirectory();
        // The periodic check is at its longest on the second node, so only the announcement can carry the change in time.
        await using var first = await StartNodeAsync(connection, state, "00:05:00");
        await using var second = await StartNodeAsync(connection, state, "00:05:00");
        await second.Services.GetRequiredService<PolicySync>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        using var admin = first.CreateAdminClient();

        Assert.False(await DecideAsync(second), "no policy is loaded yet: everything is denied");
        var permitted = await PutAsync(admin, PermitAll);
        await WaitForDecisionAsync(second, expected: true);

        var forbidden = await PutAsync(admin, ForbidAll);
        await WaitForDecisionAsync(second, expected: false);
        Assert.Equal(forbidden, await ActiveVersionAsync(second));

        using (var rollback = await admin.PostAsync(new Uri("/v1/policies/rollback", UriKind.Relative), null, ct))
        {
            Assert.Equal(200, (int)rollback.StatusCode);
        }

        await WaitForDecisionAsync(second, expected: true);
        Assert.Equal(permitted, await ActiveVersionAsync(second));
        Assert.Equal(
            first.Services.GetRequiredService<ActivePolicySet>().ActivationSequence,
            second.Services.GetRequiredService<ActivePolicySet>().ActivationSequence);
    }

    [Fact]
    public async Task MissedNotification_ShouldBeCaughtUp_WhenTheListenerReconnects()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var state = NewStateDirectory();
        var secondConnection = new NpgsqlConnectionStringBuilder(connection) { ApplicationName = "policy-node-b-" + Guid.NewGuid().ToString("N")[..8] };
        await using var first = await StartNodeAsync(connection, state, "00:05:00");
        await using var second = await StartNodeAsync(secondConnection.ToString(), state, "00:05:00");
        await second.Services.GetRequiredService<PolicySync>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        using var admin = first.CreateAdminClient();
        var permitted = await PutAsync(admin, PermitAll);
        await PutAsync(admin, ForbidAll);
        await WaitForDecisionAsync(second, expected: false);

        // An activation committed without its announcement (as if it were sent while the listener was down).
        await ActivateSilentlyAsync(connection, permitted);
        await Task.Delay(300, ct);
        Assert.False(await DecideAsync(second), "the second node cannot know of the silent activation yet");

        await using (var database = new NpgsqlConnection(connection))
        {
            await database.OpenAsync(ct);
            await using var terminate = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @app AND query LIKE 'LISTEN \"mandate_policies_%'",
                database);
            terminate.Parameters.AddWithValue("app", secondConnection.ApplicationName!);
            Assert.Equal(1L, (long)(await terminate.ExecuteScalarAsync(ct))!);
        }

        await WaitForDecisionAsync(second, expected: true);
        Assert.Equal(permitted, await ActiveVersionAsync(second));
    }

    [Fact]
    public async Task MissedNotification_ShouldBeCaughtUp_ByThePeriodicCheck_AndALateAnnouncementNeverGoesBack()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var state = NewStateDirectory();
        await using var first = await StartNodeAsync(connection, state, "00:05:00");
        await using var second = await StartNodeAsync(connection, state, "00:00:00.2");
        await second.Services.GetRequiredService<PolicySync>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        using var admin = first.CreateAdminClient();
        var permitted = await PutAsync(admin, PermitAll);
        var forbidden = await PutAsync(admin, ForbidAll);
        await WaitForDecisionAsync(second, expected: false);
        var forbiddenSequence = second.Services.GetRequiredService<ActivePolicySet>().ActivationSequence;

        await ActivateSilentlyAsync(connection, permitted);
        await WaitForDecisionAsync(second, expected: true);

        // A late announcement of the older activation (of the forbidding set) does not take the node back to it.
        await PostgresTestDatabase.ExecuteAsync(connection, $"SELECT pg_notify('mandate_policies_' || current_schema(), '{forbiddenSequence} {forbidden}')");
        await Task.Delay(500, ct);
        Assert.True(await DecideAsync(second));
        Assert.Equal(permitted, await ActiveVersionAsync(second));
        var active = second.Services.GetRequiredService<ActivePolicySet>();
        Assert.False(active.TryActivate(active.Current, forbiddenSequence));

        // A stored version that does not compile here is reported as a rejection; the set in force stays.
        await PostgresTestDatabase.ExecuteAsync(
            connection,
            $"INSERT INTO policy_versions (seq, version, origin, actor, created_ms, activated_ms, bundle) SELECT (SELECT MAX(seq) + 1 FROM policy_versions), 'broken', 'test', 'test', 0, 0, replace(bundle, 'permit (principal', 'permit (((principal') FROM policy_versions WHERE version = '{permitted}'");
        await ActivateSilentlyAsync(connection, "broken");
        using var secondAdmin = second.CreateAdminClient();
        var clock = Stopwatch.StartNew();
        JsonElement rejection;
        while (!(await GetJsonAsync(secondAdmin, "/v1/policies")).TryGetProperty("last_rejection", out rejection) || rejection.ValueKind != JsonValueKind.Object)
        {
            Assert.True(clock.Elapsed < Bound, "the second node did not report the stored version it cannot compile");
            await Task.Delay(25, ct);
        }

        Assert.Contains("store:broken", rejection.ToString(), StringComparison.Ordinal);
        Assert.True(await DecideAsync(second));
        Assert.Equal(permitted, await ActiveVersionAsync(second));
    }

    [Fact]
    public async Task CatchUpInterval_OutOfRange_ShouldStopTheStart()
    {
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartNodeAsync(connection, NewStateDirectory(), "00:00:00"));
        Assert.Contains("Mandate:PolicySync:CatchUpInterval", error.ToString(), StringComparison.Ordinal);
    }

    private static string NewStateDirectory() =>
        Path.Combine(Path.GetTempPath(), "mandate-tests", "policy-fanout-" + Guid.NewGuid().ToString("N"));

    // Both nodes share the state directory (and so the key-encryption key and admin token) as one deployment's nodes would.
    private static Task<MandateTestServer> StartNodeAsync(string connection, string state, string catchUpInterval) =>
        MandateTestServer.StartAsync(
            o =>
            {
                o.Demo = false;
                o.Store = MandateTestServer.PostgresLocation(connection);
                o.StateDirectory = state;
            },
            b =>
            {
                b.Configuration["Mandate:Decisions:AllowAnonymousPeps"] = "Loopback";
                b.Configuration["Mandate:PolicySync:CatchUpInterval"] = catchUpInterval;
            });

    private static async Task<string> PutAsync(HttpClient admin, string policy)
    {
        using var response = await admin.PutAsJsonAsync("/v1/policies", new { policies = new Dictionary<string, string> { ["p.cedar"] = policy } }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("version").GetString()!;
    }

    // A rollback row written straight into the activation history: no pg_notify, so no listener hears of it.
    private static Task ActivateSilentlyAsync(string connection, string version) =>
        PostgresTestDatabase.ExecuteAsync(
            connection,
            $"INSERT INTO policy_activations (seq, version, kind, origin, actor, activated_ms, previous_version) SELECT MAX(seq) + 1, '{version}', 'rollback', 'rollback', 'test', 0, NULL FROM policy_activations");

    private static async Task<bool> DecideAsync(MandateTestServer node)
    {
        var (status, body, _) = await PostAsync(node.Client, "/access/v1/evaluation", AliceReadsRecord1);
        Assert.Equal(200, status);
        return body.GetProperty("decision").GetBoolean();
    }

    private static async Task WaitForDecisionAsync(MandateTestServer node, bool expected)
    {
        var clock = Stopwatch.StartNew();
        while (await DecideAsync(node) != expected)
        {
            Assert.True(clock.Elapsed < Bound, $"the node did not decide {expected} within {Bound.TotalSeconds} s");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<string> ActiveVersionAsync(MandateTestServer node)
    {
        using var admin = node.CreateAdminClient();
        return (await GetJsonAsync(admin, "/v1/policies")).GetProperty("version").GetString()!;
    }
}
