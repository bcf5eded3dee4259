using Mandate.Core.Detection.SharedSignals;
using Mandate.Core.Detection.Signals;
using Mandate.Core.Detection.Webhooks;
using Mandate.Core.Storage;

namespace Mandate.Storage.Tests.Signals;

/// <summary>What every store must do for outbound and inbound signals (outbox, webhooks, Shared Signals); run against SQLite and PostgreSQL.</summary>
public abstract class SignalStoreContractTests : MigratedStoreTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000);

    [Fact]
    public async Task Cursor_ShouldAdvanceOnlyFromWhereItIs_AndOnlyWhenCommitted()
    {
        await using (var rolledBack = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            Assert.True(await rolledBack.Get<ISignalRepository>().AdvanceCursorAsync(0, 5, T0, Ct));
        }

        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<ISignalRepository>();
            Assert.Equal(0, await repository.GetCursorAsync(Ct));
            Assert.True(await repository.AdvanceCursorAsync(0, 7, T0, Ct));
            Assert.False(await repository.AdvanceCursorAsync(0, 9, T0, Ct));
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        Assert.Equal(7, await read.Get<ISignalRepository>().GetCursorAsync(Ct));
    }

    [Fact]
    public async Task Outbox_ShouldListDue_ClaimOnce_RecordAttempts_AndKeepTheDeadApart()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var outbox = session.Get<ISignalRepository>();
            await outbox.AddAsync(Message("msg_a", "wh_1", T0), Ct);
            await outbox.AddAsync(Message("msg_b", "wh_1", T0.AddSeconds(30)), Ct);
            await outbox.AddAsync(Message("jti_c", "stream_1", T0, SignalChannels.SharedSignals), Ct);
            await session.CommitAsync(Ct);
        }

        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var outbox = session.Get<ISignalRepository>();
            var due = await outbox.ListDueAsync([SignalChannels.Webhook], T0.AddSeconds(1), 10, Ct);
            Assert.Equal(["msg_a"], due.Select(d => d.Id));
            Assert.Equal(T0, await outbox.NextDueAsync([SignalChannels.Webhook], Ct));
            Assert.True(await outbox.ClaimAsync("msg_a", T0, T0.AddMinutes(1), Ct));
            Assert.False(await outbox.ClaimAsync("msg_a", T0, T0.AddMinutes(1), Ct));
            await outbox.RecordAttemptAsync(due[0] with { State = SignalDeliveryStates.Dead, Attempts = 3, LastStatus = 500, LastError = "the receiver answered 500", DoneAt = T0.AddMinutes(2) }, Ct);
            await outbox.RescheduleTargetAsync(SignalChannels.Webhook, "wh_1", T0.AddHours(1), Ct);
            await session.CommitAsync(Ct);
        }

        await using (var read = await Store.BeginAsync(StoreIntent.Read, Ct))
        {
            var outbox = read.Get<ISignalRepository>();
            var dead = Assert.Single(await outbox.ListAsync(SignalChannels.Webhook, "wh_1", SignalDeliveryStates.Dead, 10, Ct));
            Assert.Equal(("msg_a", 3, 500, "the receiver answered 500"), (dead.Id, dead.Attempts, dead.LastStatus, dead.LastError));
            Assert.Equal(T0.AddMinutes(2), dead.DoneAt);
            Assert.Equal("{\"type\":\"alert.raised\"}", dead.Payload);
            Assert.Equal(T0.AddHours(1), (await outbox.GetAsync("msg_b", Ct))!.NextAttemptAt);
            Assert.Empty(await outbox.ListDueAsync([SignalChannels.Webhook], T0.AddMinutes(30), 10, Ct));
            Assert.Equal(["jti_c"], (await outbox.ListDueAsync([SignalChannels.Webhook, SignalChannels.SharedSignals], T0.AddMinutes(30), 10, Ct)).Select(d => d.Id));
        }

        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var outbox = session.Get<ISignalRepository>();
            Assert.Equal(["jti_c"], await outbox.AcknowledgeAsync(SignalChannels.SharedSignals, "stream_1", ["jti_c", "jti_unknown"], SignalDeliveryStates.Delivered, null, T0, Ct));
            Assert.Empty(await outbox.AcknowledgeAsync(SignalChannels.SharedSignals, "stream_other", ["jti_c"], SignalDeliveryStates.Delivered, null, T0, Ct));
            await outbox.DeleteTargetAsync(SignalChannels.Webhook, "wh_1", Ct);
            await session.CommitAsync(Ct);
        }

        await using var after = await Store.BeginAsync(StoreIntent.Read, Ct);
        Assert.Null(await after.Get<ISignalRepository>().GetAsync("msg_b", Ct));
        Assert.Equal(SignalDeliveryStates.Delivered, (await after.Get<ISignalRepository>().GetAsync("jti_c", Ct))!.State);
        Assert.Null(await after.Get<ISignalRepository>().NextDueAsync([SignalChannels.Webhook, SignalChannels.SharedSignals], Ct));
    }

    [Fact]
    public async Task WebhookEndpoints_ShouldRoundTrip_AndBeRemoved()
    {
        var endpoint = new WebhookEndpoint
        {
            Id = "wh_1",
            Url = new Uri("https://hooks.example.test/mandate?token=x"),
            Events = ["alert.raised", "credential.revoked"],
            Description = "SIEM",
            ProtectedSecret = "cHJvdGVjdGVk",
            CreatedAt = T0,
            CreatedBy = "operator:alice",
        };
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<IWebhookRepository>().AddAsync(endpoint, Ct);
            await session.CommitAsync(Ct);
        }

        await using (var read = await Store.BeginAsync(StoreIntent.Read, Ct))
        {
            var stored = await read.Get<IWebhookRepository>().GetAsync("wh_1", Ct);
            Assert.NotNull(stored);
            Assert.Equal(endpoint.Url, stored.Url);
            Assert.Equal(endpoint.Events, stored.Events);
            Assert.Equal((endpoint.Description, endpoint.ProtectedSecret, endpoint.CreatedAt, endpoint.CreatedBy), (stored.Description, stored.ProtectedSecret, stored.CreatedAt, stored.CreatedBy));
            Assert.Single(await read.Get<IWebhookRepository>().ListAsync(Ct));
        }

        await using var remove = await Store.BeginAsync(StoreIntent.Write, Ct);
        Assert.True(await remove.Get<IWebhookRepository>().RemoveAsync("wh_1", Ct));
        Assert.False(await remove.Get<IWebhookRepository>().RemoveAsync("wh_1", Ct));
        Assert.Empty(await remove.Get<IWebhookRepository>().ListAsync(Ct));
    }

    [Fact]
    public async Task SharedSignals_ShouldKeepKeysStreamsSubjects_AndRefuseAReplayedJti()
    {
        var stream = new SsfStream
        {
            Id = "stream_1",
            Audience = ["https://receiver.example.test"],
            DeliveryMethod = SsfDeliveryMethods.Push,
            EndpointUrl = new Uri("https://receiver.example.test/events"),
            ProtectedAuthorization = "cHJvdGVjdGVk",
            EventsRequested = [SsfEventTypes.CaepCredentialChange],
            Description = "push",
            CreatedAt = T0,
            UpdatedAt = T0,
        };
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<ISsfRepository>();
            await repository.AddKeyAsync("kid-2", "{\"kid\":\"kid-2\"}", "a2V5Mg==", T0.AddSeconds(1), Ct);
            await repository.AddKeyAsync("kid-1", "{\"kid\":\"kid-1\"}", "a2V5MQ==", T0, Ct);
            await repository.AddStreamAsync(stream, Ct);
            await repository.SetSubjectAsync("stream_1", "{\"format\":\"uri\",\"uri\":\"spiffe://x/a\"}", "{}", included: false, T0, Ct);
            await repository.SetSubjectAsync("stream_1", "{\"format\":\"uri\",\"uri\":\"spiffe://x/b\"}", "{}", included: false, T0, Ct);
            await repository.SetSubjectAsync("stream_1", "{\"format\":\"uri\",\"uri\":\"spiffe://x/b\"}", "{}", included: true, T0, Ct);
            Assert.True(await repository.TryRememberAsync("https://idp.example.test", "jti-1", T0, T0.AddHours(1), Ct));
            Assert.False(await repository.TryRememberAsync("https://idp.example.test", "jti-1", T0, T0.AddHours(1), Ct));
            Assert.True(await repository.TryRememberAsync("https://other.example.test", "jti-1", T0, T0.AddHours(1), Ct));
            await repository.ForgetAsync("https://other.example.test", "jti-1", Ct);
            Assert.True(await repository.TryRememberAsync("https://other.example.test", "jti-1", T0, T0.AddHours(1), Ct));
            await session.CommitAsync(Ct);
        }

        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<ISsfRepository>();
            Assert.Equal(["kid-1", "kid-2"], (await repository.ListKeysAsync(Ct)).Select(k => k.Kid));
            var stored = await repository.GetStreamAsync("stream_1", Ct);
            Assert.NotNull(stored);
            Assert.Equal((stream.DeliveryMethod, stream.EndpointUrl, stream.ProtectedAuthorization, stream.Description, SsfStreamStatus.Enabled), (stored.DeliveryMethod, stored.EndpointUrl, stored.ProtectedAuthorization, stored.Description, stored.Status));
            Assert.Equal(stream.Audience, stored.Audience);
            Assert.Equal(stream.EventsRequested, stored.EventsRequested);
            var excluded = await repository.ListExcludedSubjectsAsync(Ct);
            Assert.Equal(["{\"format\":\"uri\",\"uri\":\"spiffe://x/a\"}"], excluded["stream_1"]);
            await repository.UpdateStreamAsync(stored with { Status = SsfStreamStatus.Paused, Reason = "maintenance", UpdatedAt = T0.AddMinutes(1) }, Ct);
            await repository.ForgetExpiredAsync(T0.AddHours(2), Ct);
            Assert.True(await repository.TryRememberAsync("https://idp.example.test", "jti-1", T0.AddHours(2), T0.AddHours(3), Ct));
            await session.CommitAsync(Ct);
        }

        await using var last = await Store.BeginAsync(StoreIntent.Write, Ct);
        var paused = await last.Get<ISsfRepository>().GetStreamAsync("stream_1", Ct);
        Assert.Equal((SsfStreamStatus.Paused, "maintenance"), (paused!.Status, paused.Reason));
        Assert.True(await last.Get<ISsfRepository>().DeleteStreamAsync("stream_1", Ct));
        Assert.Empty(await last.Get<ISsfRepository>().ListStreamsAsync(Ct));
        Assert.Empty(await last.Get<ISsfRepository>().ListExcludedSubjectsAsync(Ct));
    }

    private static SignalDelivery Message(string id, string target, DateTimeOffset due, string channel = SignalChannels.Webhook) => new()
    {
        Id = id,
        Channel = channel,
        Target = target,
        EventType = "alert.raised",
        Payload = "{\"type\":\"alert.raised\"}",
        CreatedAt = due,
        NextAttemptAt = due,
    };
}
