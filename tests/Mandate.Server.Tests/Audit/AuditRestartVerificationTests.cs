using System.Net;
using System.Net.Http.Json;
using Mandate.Server.Audit;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Audit;

/// <summary>
/// A restart of a long chain (here: any chain, <c>StartupFullVerifyMaxEvents</c> = 0) verifies from the last signed
/// checkpoint to the head before the server is ready, and the whole chain in the background: a change after that
/// checkpoint keeps the server from being ready at once; a change before it is found by the background walk, which
/// then reports it on /readyz exactly as the start-up check would have. Nothing is repaired.
/// </summary>
public sealed class AuditRestartVerificationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ChangeBeforeTheLastCheckpoint_ShouldBeFoundByTheBackgroundWalk_AfterAReadyStart()
    {
        var state = await LedgerWithCheckpointAsync();
        await TamperAsync(state, "note 1");

        await using var server = await StartAsync(state);
        using var admin = server.CreateAdminClient();

        // The start-up check passed (it covers the last checkpoint and after) and left the whole walk to the background;
        // the walk may already be over on a fast machine, and either way ends with the problem on /readyz.
        var walk = server.Services.GetRequiredService<AuditFullVerification>();
        Assert.True(walk.Requested, "the start-up check did not pass from the last checkpoint");
        await walk.Completion.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        using var ready = await admin.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("audit: the audit chain does not verify at event", await ready.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangeAfterTheLastCheckpoint_ShouldKeepTheServerFromBeingReadyAtOnce()
    {
        var state = await LedgerWithCheckpointAsync();
        await TamperAsync(state, "late 1");

        await using var server = await StartAsync(state);
        using var admin = server.CreateAdminClient();
        using var ready = await admin.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("audit: the audit chain does not verify at event", await ready.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IntactChain_ShouldBeReadyFromTheTail_AndStayReadyAfterTheWalk()
    {
        var state = await LedgerWithCheckpointAsync();

        await using var server = await StartAsync(state);
        using var admin = server.CreateAdminClient();
        Assert.True(server.Services.GetRequiredService<AuditFullVerification>().Requested);
        using (var ready = await admin.GetAsync(new Uri("/readyz", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        await server.Services.GetRequiredService<AuditFullVerification>().Completion.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        using (var ready = await admin.GetAsync(new Uri("/readyz", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
    }

    private static Task<MandateTestServer> StartAsync(string state) =>
        MandateTestServer.StartAsync(
            o => o.StateDirectory = state,
            b => b.Configuration["Mandate:Audit:StartupFullVerifyMaxEvents"] = "0");

    /// <summary>Notes, a signed checkpoint over them, more notes and a second checkpoint, then notes after it.</summary>
    private static async Task<string> LedgerWithCheckpointAsync()
    {
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        await using var first = await MandateTestServer.StartAsync(o => o.StateDirectory = state);
        using var admin = first.CreateAdminClient();
        for (var i = 0; i < 3; i++)
        {
            (await admin.PostAsJsonAsync("/v1/audit/events", new { reason = "note " + i }, Ct)).EnsureSuccessStatusCode();
        }

        (await admin.PostAsync(new Uri("/v1/audit/checkpoints", UriKind.Relative), null, Ct)).EnsureSuccessStatusCode();
        for (var i = 0; i < 3; i++)
        {
            (await admin.PostAsJsonAsync("/v1/audit/events", new { reason = "mid " + i }, Ct)).EnsureSuccessStatusCode();
        }

        (await admin.PostAsync(new Uri("/v1/audit/checkpoints", UriKind.Relative), null, Ct)).EnsureSuccessStatusCode();
        for (var i = 0; i < 3; i++)
        {
            (await admin.PostAsJsonAsync("/v1/audit/events", new { reason = "late " + i }, Ct)).EnsureSuccessStatusCode();
        }

        return state;
    }

    private static async Task TamperAsync(string state, string note)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(state, "mandate.db")};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE audit_log SET reason = 'note X' WHERE reason = '{note}'";
        Assert.Equal(1, await command.ExecuteNonQueryAsync(Ct));
    }
}
