using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Detection.Signals;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mandate.Server.Tests.Detection;

/// <summary>
/// With no webhook endpoint and no Shared Signals stream, the fan-out reads no records and stores its cursor only once
/// per catch-up interval (here an hour: no write transaction per ledger batch); a receiver added later gets what
/// happens after it was added, not the backlog of before.
/// </summary>
public sealed class SignalIdleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithoutReceivers_NoWritePerBatch_AndAReceiverAddedLaterShouldGetOnlyWhatFollows()
    {
        await using var estate = await TaskEstate.StartAsync(configureBuilder: b => b.Configuration["Mandate:Signals:CatchUpInterval"] = "01:00:00");
        var loop = estate.Server.Services.GetServices<IHostedService>().OfType<SignalFanOutLoop>().Single();

        // A revocation while nobody listens: passed over without a receiver ever seeing it, and without storing the cursor.
        var before = await estate.NewIdentityAsync("idle-before");
        var (_, _, oldJti) = await estate.TaskForAsync(before);
        await estate.RevokeAsync(oldJti);
        var head = await HeadAsync(estate);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (loop.PassedOver < head && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.True(loop.PassedOver >= head, $"the idle fan-out passed over {loop.PassedOver}, head {head}");
        Assert.True(loop.Cursor < head, "the idle fan-out stored its cursor for a ledger batch");

        await using var receiver = await LoopbackReceiver.StartAsync();
        using (var added = await estate.Admin.PostAsJsonAsync("/v1/webhooks", new { url = new Uri(receiver.Address, "revoked").ToString(), events = new[] { "credential.revoked" } }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }

        var after = await estate.NewIdentityAsync("idle-after");
        var (_, _, newJti) = await estate.TaskForAsync(after);
        await estate.RevokeAsync(newJti);

        var delivered = await receiver.NextAsync(TimeSpan.FromSeconds(20));
        Assert.Contains(newJti, delivered.Body, StringComparison.Ordinal);

        // Nothing of the backlog: only the one revocation that followed the endpoint.
        await Task.Delay(500, Ct);
        Assert.All(receiver.All, r => Assert.DoesNotContain(oldJti, r.Body, StringComparison.Ordinal));
        Assert.Single(receiver.All, r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString() == "credential.revoked");
    }

    private static async Task<long> HeadAsync(TaskEstate estate)
    {
        await using var session = await estate.Server.Services.GetRequiredService<Mandate.Core.Storage.IMandateStore>().BeginAsync(Mandate.Core.Storage.StoreIntent.Read, Ct);
        return (await session.Get<Mandate.Core.Audit.IAuditRepository>().GetHeadAsync(Ct))?.Sequence ?? 0;
    }
}
