using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Detection.Signals;
using Mandate.Core.Detection.Webhooks;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Storage;

namespace Mandate.Core.Detection.SharedSignals;

/// <summary>
/// The Shared Signals transmitter's stream management (SSF 1.0 §8): create, read, update, replace and delete stream
/// configurations, their status, added and removed subjects, verification; and polling (RFC 8936). Every change is a
/// ledger event (never the push Authorization header, which is stored encrypted).
/// </summary>
internal sealed class SsfTransmitter(IMandateStore store, IAuditTrail audit, SsfSetWriter writer, PrivateKeyProtector protector, SignalWake wake, TimeProvider time)
{
    public const int MaxStreams = 50;
    public const int MaxEvents = 20;
    public const int DefaultPollEvents = 100;
    public const int MaxPollEvents = 1000;

    public async Task<(SsfStream? Stream, string? Error)> CreateAsync(SsfStreamDraft draft, string actor, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var id = CompactJti.New();
        var now = time.GetUtcNow();
        var (stream, error) = Build(id, draft, null, now);
        if (error is not null)
        {
            return (null, error);
        }

        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<ISsfRepository>();
        if ((await repository.ListStreamsAsync(cancellationToken).ConfigureAwait(false)).Count >= MaxStreams)
        {
            return (null, $"There are {MaxStreams} streams already; delete one first.");
        }

        await repository.AddStreamAsync(stream!, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(session, Event("ssf.stream_created", stream!, actor, requestId), cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (stream, null);
    }

    public async Task<SsfStream?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<ISsfRepository>().GetStreamAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SsfStream>> ListAsync(CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<ISsfRepository>().ListStreamsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PATCH (<paramref name="replace"/> false: given members change) or PUT (the draft is the whole receiver-supplied configuration).</summary>
    public async Task<(SsfStream? Stream, string? Error, bool Found)> UpdateAsync(string id, SsfStreamDraft draft, bool replace, string actor, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<ISsfRepository>();
        if (await repository.GetStreamAsync(id, cancellationToken).ConfigureAwait(false) is not { } current)
        {
            return (null, null, false);
        }

        var (updated, error) = Build(id, draft, replace ? null : current, time.GetUtcNow());
        if (error is not null)
        {
            return (null, error, true);
        }

        updated = updated! with { CreatedAt = current.CreatedAt, Status = current.Status, Reason = current.Reason };
        await repository.UpdateStreamAsync(updated, cancellationToken).ConfigureAwait(false);
        await Reschedule(session, updated, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(session, Event("ssf.stream_updated", updated, actor, requestId), cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        wake.Raise();
        return (updated, null, true);
    }

    public async Task<bool> DeleteAsync(string id, string actor, string? requestId, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<ISsfRepository>();
        if (await repository.GetStreamAsync(id, cancellationToken).ConfigureAwait(false) is not { } stream)
        {
            return false;
        }

        await repository.DeleteStreamAsync(id, cancellationToken).ConfigureAwait(false);
        await session.Get<ISignalRepository>().DeleteTargetAsync(SignalChannels.SharedSignals, id, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(session, Event("ssf.stream_deleted", stream, actor, requestId), cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Changes the status; disabling drops the SETs not yet delivered (SSF: a disabled stream does not hold events).</summary>
    public async Task<(SsfStream? Stream, string? Error)> SetStatusAsync(string id, string? status, string? reason, string actor, string? requestId, CancellationToken cancellationToken)
    {
        if (status is null || !SsfStreamStatus.All.Contains(status, StringComparer.Ordinal))
        {
            return (null, $"status: one of {string.Join(", ", SsfStreamStatus.All)}.");
        }

        if (reason is { Length: > 500 })
        {
            return (null, "reason: at most 500 characters.");
        }

        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<ISsfRepository>();
        if (await repository.GetStreamAsync(id, cancellationToken).ConfigureAwait(false) is not { } current)
        {
            return (null, null);
        }

        var updated = current with { Status = status, Reason = reason, UpdatedAt = time.GetUtcNow() };
        await repository.UpdateStreamAsync(updated, cancellationToken).ConfigureAwait(false);
        if (status == SsfStreamStatus.Disabled)
        {
            await session.Get<ISignalRepository>().DeleteTargetAsync(SignalChannels.SharedSignals, id, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Reschedule(session, updated, cancellationToken).ConfigureAwait(false);
        }

        await audit.RecordAsync(session, Event("ssf.stream_status", updated, actor, requestId), cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        wake.Raise();
        return (updated, null);
    }

    /// <summary>Adds (<paramref name="include"/>) or removes a subject; false when the stream does not exist.</summary>
    public async Task<bool> SetSubjectAsync(string id, JsonElement subject, bool include, string actor, string? requestId, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<ISsfRepository>();
        if (await repository.GetStreamAsync(id, cancellationToken).ConfigureAwait(false) is not { } stream)
        {
            return false;
        }

        var key = SsfSubjects.Key(subject);
        await repository.SetSubjectAsync(id, key, subject.GetRawText(), include, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var e = Event(include ? "ssf.subject_added" : "ssf.subject_removed", stream, actor, requestId);
        await audit.RecordAsync(session, e with { Details = new Dictionary<string, string>(e.Details!, StringComparer.Ordinal) { ["subject"] = key } }, cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Queues a verification SET (SSF 1.0 §8.1.4) carrying <paramref name="state"/>; false when the stream does not exist.</summary>
    public async Task<bool> VerifyAsync(string id, string? state, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        if (await session.Get<ISsfRepository>().GetStreamAsync(id, cancellationToken).ConfigureAwait(false) is not { } stream)
        {
            return false;
        }

        var claims = new JsonObject();
        if (state is not null)
        {
            claims["state"] = state;
        }

        var now = time.GetUtcNow();
        var set = writer.Write(stream, new JsonObject { ["format"] = "opaque", ["id"] = stream.Id }, SsfEventTypes.SsfVerification, claims, now, null);
        await session.Get<ISignalRepository>().AddAsync(SsfFanOut.Delivery(stream, set, SsfEventTypes.SsfVerification, now), cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        wake.Raise();
        return true;
    }

    /// <summary>
    /// One poll (RFC 8936): acknowledgements and errors first (both end those SETs' delivery), then up to
    /// <paramref name="maxEvents"/> SETs not yet acknowledged, oldest first, and whether more are waiting. Null when
    /// the stream does not exist. A paused or disabled stream hands out nothing.
    /// </summary>
    public async Task<(IReadOnlyList<(string Jti, string Set)> Sets, bool MoreAvailable)?> PollAsync(
        string id, int maxEvents, IReadOnlyCollection<string> acks, IReadOnlyDictionary<string, string> errors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(acks);
        ArgumentNullException.ThrowIfNull(errors);
        var now = time.GetUtcNow();
        SsfStream? stream;
        IReadOnlyList<SignalDelivery> pending;
        var session = await store.BeginAsync(acks.Count + errors.Count > 0 ? StoreIntent.Write : StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            stream = await session.Get<ISsfRepository>().GetStreamAsync(id, cancellationToken).ConfigureAwait(false);
            if (stream is null)
            {
                return null;
            }

            var outbox = session.Get<ISignalRepository>();
            if (acks.Count > 0)
            {
                await outbox.AcknowledgeAsync(SignalChannels.SharedSignals, id, acks, SignalDeliveryStates.Delivered, null, now, cancellationToken).ConfigureAwait(false);
            }

            foreach (var (jti, error) in errors)
            {
                await outbox.AcknowledgeAsync(SignalChannels.SharedSignals, id, [jti], SignalDeliveryStates.Dead, error, now, cancellationToken).ConfigureAwait(false);
            }

            pending = maxEvents <= 0 || stream.Status != SsfStreamStatus.Enabled
                ? []
                : await outbox.ListAsync(SignalChannels.SharedSignals, id, SignalDeliveryStates.Pending, maxEvents + 1, cancellationToken).ConfigureAwait(false);
            if (acks.Count + errors.Count > 0)
            {
                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var sets = pending.Take(maxEvents).Select(p => (p.Id, p.Payload)).ToList();
        return (sets, pending.Count > maxEvents);
    }

    internal static string UnprotectAuthorization(PrivateKeyProtector protector, string streamId, string protectedValue)
    {
        ArgumentNullException.ThrowIfNull(protector);
        return Encoding.UTF8.GetString(protector.Unprotect("ssf-auth:" + streamId, Convert.FromBase64String(protectedValue)));
    }

    private (SsfStream? Stream, string? Error) Build(string id, SsfStreamDraft draft, SsfStream? current, DateTimeOffset now)
    {
        var method = draft.Method ?? current?.DeliveryMethod;
        if (method is null || !SsfDeliveryMethods.All.Contains(method, StringComparer.Ordinal))
        {
            return (null, $"delivery.method: one of {string.Join(", ", SsfDeliveryMethods.All)}.");
        }

        Uri? endpoint = null;
        var url = draft.EndpointUrl ?? (draft.Method is null || draft.Method == current?.DeliveryMethod ? current?.EndpointUrl?.OriginalString : null);
        if (method == SsfDeliveryMethods.Push)
        {
            if (WebhookService.ValidateUrl(url, out endpoint) is { } urlError)
            {
                return (null, "delivery.endpoint_url: " + urlError["url: ".Length..]);
            }
        }
        else if (draft.EndpointUrl is not null)
        {
            return (null, "delivery.endpoint_url: a poll stream's endpoint is the transmitter's; do not send one.");
        }

        var events = draft.EventsRequested ?? current?.EventsRequested ?? [];
        if (events.Count > MaxEvents || events.Any(e => string.IsNullOrWhiteSpace(e) || e.Length > 200))
        {
            return (null, $"events_requested: at most {MaxEvents} event type URIs of at most 200 characters.");
        }

        var description = draft.Description ?? current?.Description;
        if (description is { Length: > 500 })
        {
            return (null, "description: at most 500 characters.");
        }

        var audience = draft.Audience ?? current?.Audience ?? [endpoint is not null ? endpoint.GetLeftPart(UriPartial.Authority) : "urn:mandate:ssf:stream:" + id];
        if (audience.Count is 0 or > 5 || audience.Any(a => string.IsNullOrWhiteSpace(a) || a.Length > 500))
        {
            return (null, "aud: one to five non-empty audience values.");
        }

        string? protectedAuthorization = null;
        if (method == SsfDeliveryMethods.Push)
        {
            if (draft.AuthorizationHeader is { } header)
            {
                if (header.Length is 0 or > 4096 || header.Any(char.IsControl))
                {
                    return (null, "delivery.authorization_header: 1 to 4096 printable characters.");
                }

                protectedAuthorization = Convert.ToBase64String(protector.Protect("ssf-auth:" + id, Encoding.UTF8.GetBytes(header)));
            }
            else if (current is not null && current.IsPush)
            {
                protectedAuthorization = current.ProtectedAuthorization;
            }
        }

        return (new SsfStream
        {
            Id = id,
            Audience = [.. audience],
            DeliveryMethod = method,
            EndpointUrl = endpoint,
            ProtectedAuthorization = protectedAuthorization,
            EventsRequested = [.. events.Distinct(StringComparer.Ordinal)],
            Description = string.IsNullOrWhiteSpace(description) ? null : description,
            CreatedAt = now,
            UpdatedAt = now,
        }, null);
    }

    private async Task Reschedule(IStoreSession session, SsfStream stream, CancellationToken cancellationToken) =>
        await session.Get<ISignalRepository>().RescheduleTargetAsync(
            SignalChannels.SharedSignals,
            stream.Id,
            stream.IsPush && stream.Status == SsfStreamStatus.Enabled ? time.GetUtcNow() : SsfFanOut.NeverPushed,
            cancellationToken).ConfigureAwait(false);

    private static AuditEvent Event(string type, SsfStream stream, string actor, string? requestId) => new()
    {
        Type = type,
        Actor = actor,
        Action = type[(type.IndexOf('.', StringComparison.Ordinal) + 1)..],
        Resource = "ssf-stream:" + stream.Id,
        Reason = stream.Reason,
        RequestId = requestId,
        Details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["stream_id"] = stream.Id,
            ["method"] = stream.DeliveryMethod,
            ["endpoint"] = stream.EndpointUrl is { } url ? WebhookService.Display(url) : "poll",
            ["events"] = string.Join(' ', stream.EventsDelivered),
            ["status"] = stream.Status,
            ["aud"] = string.Join(' ', stream.Audience),
        },
    };
}
