using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Core.Tasks;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Mandate.Server.Tests.DynamicCredentials;

/// <summary>
/// Task-bound PostgreSQL credentials over real HTTP against the real PostgreSQL: the password works during the task,
/// is checked (a wrong one fails), and stops working — its open sessions ended — when the task completes, is revoked
/// or expires; a task the policy does not allow gets nothing; the password is in no log, ledger event or store row.
/// </summary>
public sealed class DynamicCredentialTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Issue_ShouldGiveAWorkingPassword_AndCompletingTheTaskShouldDropTheRoleAndEndItsSessions()
    {
        await using var estate = await DynamicCredentialEstate.StartAsync();
        var (taskId, token, _) = await estate.Tasks.OpenAsync();

        using var response = await estate.RequestAsync(taskId, token);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("no-cache", response.Headers.Pragma.ToString(), StringComparison.Ordinal);
        var json = JsonDocument.Parse(body).RootElement;
        var username = json.GetProperty("username").GetString()!;
        var password = json.GetProperty("password").GetString()!;
        Assert.StartsWith(estate.Prefix, username, StringComparison.Ordinal);
        Assert.Equal(DynamicCredentialEstate.Engine, json.GetProperty("engine").GetString());
        Assert.Equal(taskId, json.GetProperty("task_id").GetString());
        Assert.True(password.Length >= 40);

        // The password works (and the configured grant does), and the server checks it: a wrong one fails.
        var session = await estate.ConnectAsync(username, password);
        Assert.Equal(3, await estate.CountOrdersAsync(session));
        PostgresException? wrong = null;
        try
        {
            await (await estate.ConnectAsync(username, password[..^2] + "xx")).DisposeAsync();
        }
        catch (PostgresException e)
        {
            wrong = e;
        }

        Assert.True(wrong is not null, "a wrong password logged in: MANDATE_TEST_PG's pg_hba.conf trusts loopback logins; ./test.sh requires scram-sha-256 for every role but postgres");
        Assert.Equal(PostgresErrorCodes.InvalidPassword, wrong.SqlState);

        // PostgreSQL keeps a SCRAM verifier, computed by Mandate: the plaintext never reached it.
        await using (var look = new NpgsqlConnection(estate.Management))
        {
            await look.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("SELECT rolpassword, rolvaliduntil FROM pg_authid WHERE rolname = @n", look);
            command.Parameters.AddWithValue("n", username);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            Assert.True(await reader.ReadAsync(Ct));
            Assert.StartsWith("SCRAM-SHA-256$4096:", reader.GetString(0), StringComparison.Ordinal);
            Assert.False(reader.IsDBNull(1));
        }

        using var agent = estate.Tasks.As(TaskEstate.Agent);
        using (var complete = await agent.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        }

        await DynamicCredentialEstate.WaitUntilAsync(async () => !await estate.RoleExistsAsync(username), "the role is dropped");
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => estate.CountOrdersAsync(session));
        await session.DisposeAsync();
        var after = await Assert.ThrowsAsync<PostgresException>(() => estate.ConnectAsync(username, password));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, after.SqlState);

        // The ledger names the credential (engine, user, task) at issue and at removal; the password is nowhere.
        var ledger = await estate.LedgerAsync();
        Assert.Contains(ledger, e => e.Contains("\"dynamic_credential.issued\"", StringComparison.Ordinal) && e.Contains(username, StringComparison.Ordinal) && e.Contains(taskId, StringComparison.Ordinal));
        Assert.Contains(ledger, e => e.Contains("\"dynamic_credential.revoked\"", StringComparison.Ordinal) && e.Contains(username, StringComparison.Ordinal));
        Assert.DoesNotContain(ledger, e => e.Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(estate.Logs.Entries, e => e.Message.Contains(password, StringComparison.Ordinal));
        var bytes = Encoding.UTF8.GetBytes(password);
        foreach (var file in Directory.GetFiles(estate.Tasks.Server.Options.StateDirectory, "mandate.db*"))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, Ct);
            Assert.Equal(-1, copy.ToArray().AsSpan().IndexOf(bytes));
        }

        using var list = await estate.Tasks.Admin.GetAsync($"/v1/dynamic-credentials?task={taskId}", Ct);
        var lease = Assert.Single(JsonDocument.Parse(await list.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("dynamic_credentials").EnumerateArray());
        Assert.Equal("revoked", lease.GetProperty("status").GetString());
        Assert.Equal(username, lease.GetProperty("username").GetString());
        Assert.False(lease.TryGetProperty("password", out _));
    }

    [Fact]
    public async Task RevokingTheTask_ShouldDropItsRole()
    {
        await using var estate = await DynamicCredentialEstate.StartAsync();
        var (taskId, _, username, password) = await estate.IssueAsync();
        await using (var session = await estate.ConnectAsync(username, password))
        {
            Assert.Equal(3, await estate.CountOrdersAsync(session));
        }

        using (var revoke = await estate.Tasks.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "task", target = taskId, reason = "test" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, revoke.StatusCode);
        }

        await DynamicCredentialEstate.WaitUntilAsync(async () => !await estate.RoleExistsAsync(username), "the role is dropped");
        await Assert.ThrowsAsync<PostgresException>(() => estate.ConnectAsync(username, password));
    }

    [Fact]
    public async Task RevokingTheIdentity_ShouldDropTheRolesOfItsTasks()
    {
        await using var estate = await DynamicCredentialEstate.StartAsync();
        var (_, _, username, _) = await estate.IssueAsync();

        using (var revoke = await estate.Tasks.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "identity", target = TaskEstate.Agent, reason = "test" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, revoke.StatusCode);
        }

        await DynamicCredentialEstate.WaitUntilAsync(async () => !await estate.RoleExistsAsync(username), "the role is dropped");
    }

    [Fact]
    public async Task TaskExpiringWithoutTraffic_ShouldHaveItsRoleDroppedByTheSweeper()
    {
        await using var estate = await DynamicCredentialEstate.StartAsync();
        var (taskId, _, username, password) = await estate.IssueAsync(ttlSeconds: 60);
        await (await estate.ConnectAsync(username, password)).DisposeAsync();

        estate.Tasks.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, await estate.Tasks.Server.Services.GetRequiredService<TaskService>().SweepAsync(Ct));

        Assert.Equal(MandateTaskStatus.Expired, (await estate.Tasks.Server.Services.GetRequiredService<TaskService>().GetAsync(taskId, Ct))!.Status);
        await DynamicCredentialEstate.WaitUntilAsync(async () => !await estate.RoleExistsAsync(username), "the role is dropped");
    }

    [Fact]
    public async Task TaskThePolicyDoesNotAllow_ShouldGet403_AndNoRole()
    {
        await using var estate = await DynamicCredentialEstate.StartAsync();
        var (taskId, token, _) = await estate.Tasks.OpenAsync(intent: TaskEstate.Intent(actions: ["write"]));

        using var response = await estate.RequestAsync(taskId, token);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.EndsWith("/dynamic-credential-denied", body.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await estate.PrefixedRolesAsync());
        using var list = await estate.Tasks.Admin.GetAsync($"/v1/dynamic-credentials?task={taskId}", Ct);
        Assert.Empty(JsonDocument.Parse(await list.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("dynamic_credentials").EnumerateArray());
    }

    [Fact]
    public async Task Request_ShouldNeedThisTasksOwnCredential()
    {
        await using var estate = await DynamicCredentialEstate.StartAsync();
        var (taskId, token, _) = await estate.Tasks.OpenAsync();
        var (otherTask, otherToken, _) = await estate.Tasks.OpenAsync();

        // The workload's SVID is not the task's credential; another task's credential does not name this task.
        using var svid = await estate.RequestAsync(taskId, estate.Tasks.Svid(TaskEstate.Agent));
        using var other = await estate.RequestAsync(taskId, otherToken);
        using var unknown = await estate.RequestAsync(taskId, token, engine: "billing-db");

        Assert.Equal(HttpStatusCode.Unauthorized, svid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("dynamic-credential-engine-not-found", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, await estate.PrefixedRolesAsync());
        _ = otherTask;
    }

    [Fact]
    public async Task RemovalWhileTheDatabaseIsUnreachable_ShouldStayPending_AndSucceedWhenItReturns()
    {
        var port = new NpgsqlConnectionStringBuilder(DynamicCredentialEstate.Base()).Port;
        await using var forwarder = new TcpForwarder(port);
        forwarder.Start();
        await using var estate = await DynamicCredentialEstate.StartAsync(c => new NpgsqlConnectionStringBuilder(c) { Port = forwarder.Port, Timeout = 3 }.ToString());
        var (taskId, _, username, _) = await estate.IssueAsync();

        forwarder.Stop();
        using var agent = estate.Tasks.As(TaskEstate.Agent);
        using (var complete = await agent.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        }

        await DynamicCredentialEstate.WaitUntilAsync(
            async () => (await estate.LedgerAsync()).Any(e => e.Contains("\"dynamic_credential.revocation_failed\"", StringComparison.Ordinal) && e.Contains(username, StringComparison.Ordinal)),
            "the failed attempt is in the ledger");
        Assert.True(await estate.RoleExistsAsync(username));
        using (var list = await estate.Tasks.Admin.GetAsync($"/v1/dynamic-credentials?task={taskId}", Ct))
        {
            var lease = Assert.Single(JsonDocument.Parse(await list.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("dynamic_credentials").EnumerateArray());
            Assert.Equal("revoking", lease.GetProperty("status").GetString());
            Assert.True(lease.GetProperty("attempts").GetInt32() >= 1);
            Assert.False(string.IsNullOrEmpty(lease.GetProperty("last_error").GetString()));
        }

        // Back: the retry (due after the backoff) removes it.
        forwarder.Start();
        estate.Tasks.Clock.Advance(TimeSpan.FromMinutes(6));
        await estate.Tasks.Server.Services.GetRequiredService<Mandate.Core.DynamicCredentials.DynamicCredentialService>().RevokeDueAsync(Ct);
        await DynamicCredentialEstate.WaitUntilAsync(async () => !await estate.RoleExistsAsync(username), "the role is dropped");
        Assert.Contains(await estate.LedgerAsync(), e => e.Contains("\"dynamic_credential.revoked\"", StringComparison.Ordinal) && e.Contains(username, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SuspendingTheIdentity_ShouldDropTheRolesIssuedToIt()
    {
        await using var estate = await DynamicCredentialEstate.StartAsync();
        var (_, _, username, _) = await estate.IssueAsync();

        using (var suspend = await estate.Tasks.Admin.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = TaskEstate.Agent, reason = "test" }, Ct))
        {
            Assert.True(suspend.IsSuccessStatusCode, await suspend.Content.ReadAsStringAsync(Ct));
        }

        await DynamicCredentialEstate.WaitUntilAsync(async () => !await estate.RoleExistsAsync(username), "the role is dropped");
    }

    [Fact]
    public async Task OnThePostgresStore_IssueAndComplete_ShouldCreateAndDropTheRole()
    {
        await using var estate = await DynamicCredentialEstate.StartAsync(postgresStore: true);
        var (taskId, _, username, password) = await estate.IssueAsync();
        await using (var session = await estate.ConnectAsync(username, password))
        {
            Assert.Equal(3, await estate.CountOrdersAsync(session));
        }

        using var agent = estate.Tasks.As(TaskEstate.Agent);
        using (var complete = await agent.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        }

        await DynamicCredentialEstate.WaitUntilAsync(async () => !await estate.RoleExistsAsync(username), "the role is dropped");
        Assert.Contains(await estate.LedgerAsync(), e => e.Contains("\"dynamic_credential.revoked\"", StringComparison.Ordinal) && e.Contains(username, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RenewingTheTask_ShouldKeepTheRole_ItsReplacedCredentialDoesNotEndTheTask()
    {
        await using var estate = await DynamicCredentialEstate.StartAsync();
        var (taskId, _, username, password) = await estate.IssueAsync();

        estate.Tasks.Clock.Advance(TimeSpan.FromMinutes(2));
        using var agent = estate.Tasks.As(TaskEstate.Agent);
        using (var renew = await agent.PostAsJsonAsync($"/v1/tasks/{taskId}/renew", new { ttl_seconds = 600 }, Ct))
        {
            Assert.True(renew.IsSuccessStatusCode, await renew.Content.ReadAsStringAsync(Ct));
        }

        // The revoker acts within milliseconds of a commit; give it ample time to do the wrong thing.
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        Assert.True(await estate.RoleExistsAsync(username));
        await using var session = await estate.ConnectAsync(username, password);
        Assert.Equal(3, await estate.CountOrdersAsync(session));
    }

    [Fact]
    public async Task RenewingTheTask_ShouldExtendTheRolesValidUntil_CappedAtTheEnginesMaxTtl_AndThePasswordStillWorks()
    {
        await using var estate = await DynamicCredentialEstate.StartAsync();
        var (taskId, _, username, password) = await estate.IssueAsync(ttlSeconds: 600);
        var issued = await LeaseAsync(estate, taskId);
        var issuedAt = issued.GetProperty("issued_at").GetDateTimeOffset();
        Assert.Equal(issued.GetProperty("expires_at").GetDateTimeOffset(), await ValidUntilAsync(estate, username));

        // Renewed for an hour two minutes later: the task now ends after the engine's MaxTtl (1 h) from issuance, so the
        // role's end moves to that cap, not to the task's new end.
        estate.Tasks.Clock.Advance(TimeSpan.FromMinutes(2));
        using var agent = estate.Tasks.As(TaskEstate.Agent);
        DateTimeOffset taskEnd;
        using (var renew = await agent.PostAsJsonAsync($"/v1/tasks/{taskId}/renew", new { ttl_seconds = 3600 }, Ct))
        {
            var body = await renew.Content.ReadAsStringAsync(Ct);
            Assert.True(renew.IsSuccessStatusCode, body);
            taskEnd = JsonDocument.Parse(body).RootElement.GetProperty("task").GetProperty("expires_at").GetDateTimeOffset();
        }

        var cap = issuedAt + TimeSpan.FromHours(1);
        Assert.True(taskEnd > cap);
        await DynamicCredentialEstate.WaitUntilAsync(
            async () => (await estate.LedgerAsync()).Any(e => e.Contains("\"dynamic_credential.extended\"", StringComparison.Ordinal)),
            "the extension is in the ledger");
        Assert.Equal(cap, await ValidUntilAsync(estate, username));
        var extended = Assert.Single(await estate.LedgerAsync(), e => e.Contains("\"dynamic_credential.extended\"", StringComparison.Ordinal));
        Assert.Contains(username, extended, StringComparison.Ordinal);
        Assert.Contains(cap.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), extended, StringComparison.Ordinal);
        Assert.DoesNotContain(password, extended, StringComparison.Ordinal);
        var lease = await LeaseAsync(estate, taskId);
        Assert.Equal("active", lease.GetProperty("status").GetString());
        Assert.Equal(cap, lease.GetProperty("expires_at").GetDateTimeOffset());
        Assert.False(lease.TryGetProperty("next_attempt_at", out var next) && next.ValueKind != JsonValueKind.Null, "no extension is pending");

        await using var session = await estate.ConnectAsync(username, password);
        Assert.Equal(3, await estate.CountOrdersAsync(session));
    }

    [Fact]
    public async Task ExtensionWhileTheDatabaseIsUnreachable_ShouldBeRecordedAndRetried_UntilItSucceeds()
    {
        var port = new NpgsqlConnectionStringBuilder(DynamicCredentialEstate.Base()).Port;
        await using var forwarder = new TcpForwarder(port);
        forwarder.Start();
        await using var estate = await DynamicCredentialEstate.StartAsync(c => new NpgsqlConnectionStringBuilder(c) { Port = forwarder.Port, Timeout = 3 }.ToString());
        var (taskId, _, username, password) = await estate.IssueAsync(ttlSeconds: 600);

        forwarder.Stop();
        estate.Tasks.Clock.Advance(TimeSpan.FromMinutes(1));
        using var agent = estate.Tasks.As(TaskEstate.Agent);
        DateTimeOffset taskEnd;
        using (var renew = await agent.PostAsJsonAsync($"/v1/tasks/{taskId}/renew", new { ttl_seconds = 900 }, Ct))
        {
            var body = await renew.Content.ReadAsStringAsync(Ct);
            Assert.True(renew.IsSuccessStatusCode, body);
            taskEnd = JsonDocument.Parse(body).RootElement.GetProperty("task").GetProperty("expires_at").GetDateTimeOffset();
        }

        await DynamicCredentialEstate.WaitUntilAsync(
            async () => (await estate.LedgerAsync()).Any(e => e.Contains("\"dynamic_credential.extension_failed\"", StringComparison.Ordinal) && e.Contains(username, StringComparison.Ordinal)),
            "the failed attempt is in the ledger");
        var pending = await LeaseAsync(estate, taskId);
        Assert.Equal("active", pending.GetProperty("status").GetString());
        Assert.True(pending.GetProperty("attempts").GetInt32() >= 1);
        Assert.False(string.IsNullOrEmpty(pending.GetProperty("last_error").GetString()));
        Assert.True(pending.TryGetProperty("next_attempt_at", out var next) && next.ValueKind == JsonValueKind.String, "the extension is pending");

        // Back: the retry (due after the backoff) applies it.
        forwarder.Start();
        estate.Tasks.Clock.Advance(TimeSpan.FromMinutes(6));
        await estate.Tasks.Server.Services.GetRequiredService<Mandate.Core.DynamicCredentials.DynamicCredentialService>().ExtendDueAsync(Ct);
        await DynamicCredentialEstate.WaitUntilAsync(
            async () => (await estate.LedgerAsync()).Any(e => e.Contains("\"dynamic_credential.extended\"", StringComparison.Ordinal) && e.Contains(username, StringComparison.Ordinal)),
            "the extension is in the ledger");
        Assert.Equal(taskEnd, await ValidUntilAsync(estate, username));
        Assert.Equal(0, (await LeaseAsync(estate, taskId)).GetProperty("attempts").GetInt32());
        await using var session = await estate.ConnectAsync(username, password);
        Assert.Equal(3, await estate.CountOrdersAsync(session));
    }

    private static async Task<JsonElement> LeaseAsync(DynamicCredentialEstate estate, string taskId)
    {
        using var list = await estate.Tasks.Admin.GetAsync($"/v1/dynamic-credentials?task={taskId}", Ct);
        return Assert.Single(JsonDocument.Parse(await list.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("dynamic_credentials").EnumerateArray()).Clone();
    }

    private static async Task<DateTimeOffset?> ValidUntilAsync(DynamicCredentialEstate estate, string username)
    {
        await using var connection = new NpgsqlConnection(estate.Management);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT rolvaliduntil FROM pg_roles WHERE rolname = @n", connection);
        command.Parameters.AddWithValue("n", username);
        return await command.ExecuteScalarAsync(Ct) is DateTime until ? new DateTimeOffset(DateTime.SpecifyKind(until, DateTimeKind.Utc)) : null;
    }
}
