using System.Diagnostics;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

/// <summary>
/// Two servers on one PostgreSQL schema: an identity registered or suspended on one is known to the other at once
/// (LISTEN/NOTIFY), not at its next periodic reload (a minute by default).
/// </summary>
public sealed class IdentityFanOutTests
{
    private const string Workload = "spiffe://demo.mandate.local/fanout/worker";
    private const string Audience = "spiffe://demo.mandate.local/fanout/rp";

    [Fact]
    public async Task RegistrationAndSuspension_OnOneNode_ShouldReachTheOtherNodesValidator_ThroughNotify()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", "identity-fanout-" + Guid.NewGuid().ToString("N"));

        // Both nodes share the state directory (and so the key-encryption key), as nodes of one deployment share secrets.
        await using var first = await MandateTestServer.StartAsync(o =>
        {
            o.Store = MandateTestServer.PostgresLocation(connection);
            o.StateDirectory = state;
        });
        await using var second = await MandateTestServer.StartAsync(o =>
        {
            o.Store = MandateTestServer.PostgresLocation(connection);
            o.StateDirectory = state;
        });
        await second.Services.GetRequiredService<IdentityDirectorySync>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        var validator = second.Services.GetRequiredService<JwtSvidValidator>();

        // Registered on the first node after the second started: the second hears of it.
        await IdentityTestData.RegisterAsync(first, Workload);
        var token = first.Services.GetRequiredService<JwtSvidIssuer>().Issue(SpiffeId.Parse(Workload), [Audience], TimeSpan.FromMinutes(5)).Token;
        Assert.True(await EventuallyAsync(() => validator.Validate(token, Audience).IsValid), "the second node did not learn of the registration within 5 s");

        // Suspended on the first node: the second refuses the very token it just accepted (and remembered).
        var suspended = await first.Services.GetRequiredService<IdentityInventory>().ChangeStatusAsync(Workload, IdentityStatus.Suspended, "incident", "test", null, ct);
        Assert.Null(suspended.Error);
        Assert.True(
            await EventuallyAsync(() => validator.Validate(token, Audience).Error?.Code == IdentityErrorCodes.IdentityInactive),
            "the second node still accepted the suspended identity's token after 5 s");
    }

    /// <summary>Polls for a bounded 5 s: the periodic reload is a minute away, so passing shows the notification carried it.</summary>
    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(5))
            {
                return false;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return true;
    }
}
