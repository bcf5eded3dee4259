using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Detection.Signals;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Detection;

/// <summary>
/// The fan-out is restart-safe, on SQLite and on PostgreSQL: it resumes from its cursor in the store, so ledger records written while it was not
/// running are delivered after the restart, and what was delivered before is not sent again.
/// </summary>
public sealed class SignalRestartTests
{
    private const string Billing = "spiffe://demo.mandate.local/svc/billing";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Restart_ShouldDeliverWhatWasWrittenWhileStopped_AndNothingTwice(string store)
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Answer = _ => (204, null);
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        StoreLocation? location = store == "postgres" ? MandateTestServer.PostgresLocation(await PostgresTestDatabase.CreateSchemaAsync()) : null;
        void Configure(MandateServerOptions o)
        {
            o.StateDirectory = state;
            o.Store = location;
        }

        // First run: the webhook is added and one status change is delivered.
        await using (var first = await MandateTestServer.StartAsync(Configure))
        {
            using var admin = first.CreateAdminClient();
            using (var added = await admin.PostAsJsonAsync("/v1/webhooks", new { url = new Uri(receiver.Address, "hooks").ToString(), events = new[] { "identity.status_changed" } }, Ct))
            {
                Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            }

            await ChangeAsync(admin, "suspend");
            var delivered = await receiver.NextAsync(TimeSpan.FromSeconds(20));
            Assert.Contains("identity.suspended", delivered.Body, StringComparison.Ordinal);

            // Stopping while an attempt is still on the wire would leave it to be sent again (delivery is at least
            // once); this test is about the cursor, so it stops once the delivery is recorded.
            var firstStore = first.Services.GetRequiredService<IMandateStore>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (true)
            {
                await using (var session = await firstStore.BeginAsync(StoreIntent.Read, Ct))
                {
                    if ((await session.Get<ISignalRepository>().ListAsync(SignalChannels.Webhook, null, SignalDeliveryStates.Delivered, 10, Ct)).Count == 1)
                    {
                        break;
                    }
                }

                Assert.True(DateTime.UtcNow < deadline, "The delivery was not recorded.");
                await Task.Delay(20, Ct);
            }
        }

        // Second run without signals: the ledger grows, nothing goes out.
        await using (var quiet = await MandateTestServer.StartAsync(Configure, b => b.Configuration["Mandate:Signals:Enabled"] = "false"))
        {
            using var admin = quiet.CreateAdminClient();
            await ChangeAsync(admin, "reactivate");
            Assert.False(await receiver.AnyWithinAsync(TimeSpan.FromMilliseconds(500)));
        }

        // Third run: the fan-out resumes at its cursor; exactly the missed change is delivered, once.
        await using (var resumed = await MandateTestServer.StartAsync(Configure))
        {
            var next = await receiver.NextAsync(TimeSpan.FromSeconds(20));
            Assert.Contains("identity.reactivated", next.Body, StringComparison.Ordinal);
            Assert.False(await receiver.AnyWithinAsync(TimeSpan.FromMilliseconds(500)));
        }

        Assert.Equal(2, receiver.All.Count);
        Assert.Equal(2, receiver.All.Select(r => r.Headers["webhook-id"]).Distinct().Count());
        Assert.All(receiver.All, r => Assert.Equal(Billing, JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("subject").GetString()));
    }

    private static async Task ChangeAsync(HttpClient admin, string verb)
    {
        using var response = await admin.PostAsJsonAsync("/v1/identities/" + verb, new { spiffe_id = Billing, reason = "restart test" }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }
}
