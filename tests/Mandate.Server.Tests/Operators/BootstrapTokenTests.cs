using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Hosting;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Mandate.Server.Tests.Operators;

/// <summary>
/// <c>Mandate:Admin:BootstrapToken</c> = <c>Disabled</c>: the bootstrap token creates the first admin operator and is then
/// turned off by configuration, which survives restarts, is recorded once in the ledger, and cannot be undone through
/// the API; the server will not start without an admin operator, nor let the last one be disabled.
/// </summary>
public sealed class BootstrapTokenTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<MandateTestServer> StartAsync(string state, string mode) =>
        MandateTestServer.StartAsync(
            o => (o.StateDirectory, o.Demo) = (state, false),
            b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Mandate:Admin:BootstrapToken"] = mode }));

    private static string NewState()
    {
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(state);
        return state;
    }

    [Fact]
    public async Task Disabled_ShouldRefuseToStart_WithoutAnEnabledAdminOperator()
    {
        var error = await Assert.ThrowsAsync<StartupException>(() => StartAsync(NewState(), "Disabled"));
        Assert.Contains("Mandate:Admin:BootstrapToken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabled_ShouldRefuseTheBootstrapToken_AcrossRestarts_WhileTheAdminOperatorWorks()
    {
        var state = NewState();
        string bootstrap, adminToken;
        await using (var first = await StartAsync(state, "Enabled"))
        {
            bootstrap = first.AdminToken;
            (var client, adminToken, _) = await OperatorTestData.AddWithTokenAsync(first, "root", "admin");
            client.Dispose();
        }

        for (var start = 0; start < 2; start++)
        {
            await using var server = await StartAsync(state, "Disabled");
            using var old = OperatorTestData.Client(server, bootstrap);
            using var refused = await old.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct);
            await OperatorTestData.AssertProblemAsync(refused, HttpStatusCode.Unauthorized, "unauthenticated");
            Assert.Contains("bootstrap admin token is disabled", (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);

            using var root = OperatorTestData.Client(server, adminToken);
            Assert.Equal(HttpStatusCode.OK, (await root.GetAsync(new Uri("/v1/status", UriKind.Relative), Ct)).StatusCode);

            // The last enabled admin cannot be disabled while the bootstrap token is off: nobody could administer Mandate.
            await OperatorTestData.AssertProblemAsync(await root.PostAsJsonAsync("/v1/operators/root/disable", new { }, Ct), HttpStatusCode.Conflict, "operator-last-admin");

            // Nor lose the admin role.
            await OperatorTestData.AssertProblemAsync(await root.PostAsJsonAsync("/v1/operators/root/roles", new { roles = new[] { "auditor" } }, Ct), HttpStatusCode.Conflict, "operator-last-admin");

            // Recorded once, whatever the number of restarts.
            Assert.Single(await OperatorTestData.EventsAsync(server, "admin.bootstrap_disabled"));
        }

        await using var again = await StartAsync(state, "Enabled");
        Assert.Single(await OperatorTestData.EventsAsync(again, "admin.bootstrap_enabled"));
    }
}
