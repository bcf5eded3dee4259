using System.Diagnostics;
using System.Net.Http.Json;
using Mandate.Core.Credentials;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Credentials;

/// <summary>Two servers on one PostgreSQL schema: a revocation committed on one is in the other's memory at once (LISTEN/NOTIFY).</summary>
public sealed class RevocationFanOutTests
{
    [Fact]
    public async Task RevocationOnOneNode_ShouldReachTheOtherNode_ThroughNotify()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", "fanout-" + Guid.NewGuid().ToString("N"));

        // Both nodes share the state directory (and so the key-encryption key) as nodes of one deployment would share their secrets.
        await using var first = await TaskEstate.StartAsync(o =>
        {
            o.Store = MandateTestServer.PostgresLocation(connection);
            o.StateDirectory = state;
        });
        await using var second = await MandateTestServer.StartAsync(o =>
        {
            o.Store = MandateTestServer.PostgresLocation(connection);
            o.StateDirectory = state;
        });
        await second.Services.GetRequiredService<RevocationSync>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);

        var (taskId, token, jti) = await first.OpenAsync();
        var otherSet = second.Services.GetRequiredService<IRevocationSet>();
        Assert.False(otherSet.IsRevoked(jti));

        using (var complete = await first.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "task", target = taskId }, ct))
        {
            complete.EnsureSuccessStatusCode();
        }

        // The notification is delivered at commit; wait for it, bounded (the poll interval is 10 s, so passing well
        // inside that shows the fan-out, not the reconcile, carried it).
        var clock = Stopwatch.StartNew();
        while (!otherSet.IsRevoked(jti) && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20, ct);
        }

        Assert.True(otherSet.IsRevoked(jti), "the second node did not hear of the revocation within 5 s");
        var verification = await second.Services.GetRequiredService<ICredentialVerifier>().VerifyAsync(token, ct);
        Assert.False(verification.Valid);
    }
}
