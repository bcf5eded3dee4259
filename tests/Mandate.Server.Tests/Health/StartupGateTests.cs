using System.Net;
using System.Text;
using System.Text.Json;
using Mandate.Core.Hosting;
using Mandate.Server.Hosting;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Health;

/// <summary>
/// The server listens before its start-up tasks run: /healthz answers at once, /readyz says which step runs, every other
/// request is refused with 503 'starting' (whatever its credentials) and the background loops wait, until start-up ends.
/// </summary>
public sealed class StartupGateTests
{
    private const string Deploy =
        "{\"subject\":{\"type\":\"Workload\",\"id\":\"spiffe://demo.mandate.local/ci/github/deploy-pipeline\"},\"action\":{\"name\":\"deploy\"},\"resource\":{\"type\":\"Environment\",\"id\":\"staging\"}}";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HeldBackStartup_ShouldAnswerLivenessOnly_ThenServeNormallyOnceDone()
    {
        var held = new HeldBackStep();
        var (server, startup) = await MandateTestServer.StartListeningFirstAsync(configureBuilder: b => b.Services.AddSingleton<IStartupTask>(held));
        await using (server)
        {
            await held.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            using (var health = await server.Client.GetAsync("/healthz", Ct))
            {
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            }

            using (var ready = await server.Client.GetAsync("/readyz", Ct))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
                var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(Ct)).RootElement;
                Assert.Equal("starting", body.GetProperty("status").GetString());
                Assert.Equal("held-back-step", body.GetProperty("step").GetString());
            }

            // The admin token exists by now (an earlier step), yet nothing is served: not the decision point, not the
            // admin API, not an anonymous endpoint, not an unknown path.
            using var admin = server.CreateAdminClient();
            using (var evaluation = await admin.PostAsync("/access/v1/evaluation", new StringContent(Deploy, Encoding.UTF8, "application/json"), Ct))
            {
                var problem = await ProblemAssert.ProblemAsync(evaluation, HttpStatusCode.ServiceUnavailable, "starting");
                Assert.Contains("held-back-step", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
                Assert.Equal("1", evaluation.Headers.RetryAfter?.ToString());
            }

            foreach (var path in new[] { "/v1/identities", "/.well-known/authzen-configuration", "/metrics", "/nowhere" })
            {
                using var response = await admin.GetAsync(path, Ct);
                await ProblemAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "starting");
            }

            // No background loop has started (each reports itself to BackgroundHealth when it first runs).
            Assert.Empty(server.Services.GetRequiredService<BackgroundHealth>().Snapshot());

            held.Release.SetResult();
            await startup.WaitAsync(TimeSpan.FromSeconds(60), Ct);

            using (var ready = await server.Client.GetAsync("/readyz", Ct))
            {
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }

            using (var evaluation = await admin.PostAsync("/access/v1/evaluation", new StringContent(Deploy, Encoding.UTF8, "application/json"), Ct))
            {
                Assert.Equal(HttpStatusCode.OK, evaluation.StatusCode);
                Assert.True(JsonDocument.Parse(await evaluation.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("decision").GetBoolean());
            }

            using (var anonymous = await server.Client.GetAsync("/v1/identities", Ct))
            {
                await ProblemAssert.ProblemAsync(anonymous, HttpStatusCode.Unauthorized, "unauthenticated");
            }
        }
    }

    [Fact]
    public async Task FailedStartupStep_ShouldKeepRefusing_AndSurfaceTheError()
    {
        var (server, startup) = await MandateTestServer.StartListeningFirstAsync(configureBuilder: b => b.Services.AddSingleton<IStartupTask, FailingStep>());
        await using (server)
        {
            var error = await Assert.ThrowsAsync<StartupException>(() => startup.WaitAsync(TimeSpan.FromSeconds(60), Ct));
            Assert.Equal("the held-back step failed", error.Message);

            using var admin = server.CreateAdminClient();
            using var evaluation = await admin.PostAsync("/access/v1/evaluation", new StringContent(Deploy, Encoding.UTF8, "application/json"), Ct);
            await ProblemAssert.ProblemAsync(evaluation, HttpStatusCode.ServiceUnavailable, "starting");
            Assert.Empty(server.Services.GetRequiredService<BackgroundHealth>().Snapshot());
        }
    }

    /// <summary>A start-up step between the audit check and the policies that waits until the test lets it go.</summary>
    private sealed class HeldBackStep : IStartupTask
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Order => 350;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            Reached.SetResult();
            await Release.Task.WaitAsync(cancellationToken);
        }
    }

    private sealed class FailingStep : IStartupTask
    {
        public int Order => 350;

        public Task RunAsync(CancellationToken cancellationToken) => throw new StartupException("the held-back step failed");
    }
}
