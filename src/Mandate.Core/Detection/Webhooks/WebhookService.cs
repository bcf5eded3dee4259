using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Detection.Signals;
using Mandate.Core.Storage;

namespace Mandate.Core.Detection.Webhooks;

/// <summary>
/// Operators' webhook endpoints: adding one (its secret is returned once and stored only encrypted), listing,
/// removing (its undelivered messages go with it), the dead-letter list and redelivery. Each change is a ledger event
/// that names the endpoint and its URL without query (a query may carry a receiver's token), never the secret.
/// </summary>
internal sealed class WebhookService(IMandateStore store, IAuditTrail audit, WebhookSecrets secrets, SignalWake wake, TimeProvider time)
{
    public const int MaxUrlLength = 2048;
    public const int MaxDescriptionLength = 500;
    public const int MaxEndpoints = 100;

    /// <summary>Adds an endpoint; the error message when the request is not valid.</summary>
    public async Task<(WebhookEndpoint? Endpoint, string? Secret, string? Error)> AddAsync(string? url, IReadOnlyList<string>? events, string? description, string actor, string? requestId, CancellationToken cancellationToken)
    {
        if (ValidateUrl(url, out var uri) is { } urlError)
        {
            return (null, null, urlError);
        }

        var chosen = events is null || events.Count == 0 ? [WebhookEventTypes.AlertRaised] : events.Distinct(StringComparer.Ordinal).ToList();
        if (chosen.FirstOrDefault(e => !WebhookEventTypes.All.Contains(e, StringComparer.Ordinal)) is { } unknown)
        {
            return (null, null, $"events: '{Clip(unknown)}' is not an event type; use {string.Join(", ", WebhookEventTypes.All)}.");
        }

        if (description is { Length: > MaxDescriptionLength } || (description is not null && description.Any(char.IsControl)))
        {
            return (null, null, $"description: at most {MaxDescriptionLength} printable characters.");
        }

        var id = "wh_" + CompactJti.New();
        var (secret, protectedSecret) = secrets.Create(id);
        var endpoint = new WebhookEndpoint
        {
            Id = id,
            Url = uri!,
            Events = chosen,
            Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim(),
            ProtectedSecret = protectedSecret,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = actor,
        };
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IWebhookRepository>();
        if ((await repository.ListAsync(cancellationToken).ConfigureAwait(false)).Count >= MaxEndpoints)
        {
            return (null, null, $"There are {MaxEndpoints} webhook endpoints already; remove one first.");
        }

        await repository.AddAsync(endpoint, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(session, Event("webhook.added", endpoint, actor, requestId, null), cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (endpoint, secret, null);
    }

    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IWebhookRepository>().ListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes an endpoint and its undelivered messages; false when there is none.</summary>
    public async Task<bool> RemoveAsync(string id, string actor, string? requestId, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IWebhookRepository>();
        if (await repository.GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } endpoint)
        {
            return false;
        }

        await repository.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
        await session.Get<ISignalRepository>().DeleteTargetAsync(SignalChannels.Webhook, id, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(session, Event("webhook.removed", endpoint, actor, requestId, null), cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Messages that could not be delivered (of one endpoint, when given), oldest first.</summary>
    public async Task<IReadOnlyList<SignalDelivery>> DeadLettersAsync(string? endpointId, int limit, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<ISignalRepository>().ListAsync(SignalChannels.Webhook, endpointId, SignalDeliveryStates.Dead, limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts dead messages back in the outbox with a fresh attempt count: one by id, or every dead message of an
    /// endpoint. The ids queued again; null when the message or the endpoint does not exist.
    /// </summary>
    public async Task<IReadOnlyList<string>?> RedeliverAsync(string? messageId, string? endpointId, string actor, string? requestId, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var outbox = session.Get<ISignalRepository>();
        List<SignalDelivery> dead;
        WebhookEndpoint? endpoint;
        if (messageId is not null)
        {
            var one = await outbox.GetAsync(messageId, cancellationToken).ConfigureAwait(false);
            if (one is null || one.Channel != SignalChannels.Webhook)
            {
                return null;
            }

            endpoint = await session.Get<IWebhookRepository>().GetAsync(one.Target, cancellationToken).ConfigureAwait(false);
            dead = one.State == SignalDeliveryStates.Dead ? [one] : [];
        }
        else
        {
            endpoint = await session.Get<IWebhookRepository>().GetAsync(endpointId ?? string.Empty, cancellationToken).ConfigureAwait(false);
            if (endpoint is null)
            {
                return null;
            }

            dead = [.. await outbox.ListAsync(SignalChannels.Webhook, endpoint.Id, SignalDeliveryStates.Dead, 1000, cancellationToken).ConfigureAwait(false)];
        }

        if (endpoint is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        foreach (var message in dead)
        {
            await outbox.RecordAttemptAsync(message with { State = SignalDeliveryStates.Pending, Attempts = 0, NextAttemptAt = now, DoneAt = null }, cancellationToken).ConfigureAwait(false);
        }

        var ids = dead.Select(d => d.Id).ToList();
        if (ids.Count > 0)
        {
            await audit.RecordAsync(session, Event("webhook.redelivered", endpoint, actor, requestId, ids), cancellationToken).ConfigureAwait(false);
        }

        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (ids.Count > 0)
        {
            wake.Raise();
        }

        return ids;
    }

    /// <summary>Null when <paramref name="url"/> is an absolute http(s) URL without user information or fragment; else why not.</summary>
    public static string? ValidateUrl(string? url, out Uri? uri)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var parsed))
        {
            return $"url: an absolute http or https URL of at most {MaxUrlLength} characters is required.";
        }

        if (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp)
        {
            return $"url: only http and https URLs receive webhooks (got '{Clip(parsed.Scheme)}:').";
        }

        if (parsed.UserInfo.Length > 0 || parsed.Fragment.Length > 0)
        {
            return "url: must not carry user information or a fragment (credentials do not belong in a URL).";
        }

        uri = parsed;
        return null;
    }

    /// <summary>The URL as the ledger and listings show it: without its query, which may carry a receiver's token.</summary>
    public static string Display(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.GetLeftPart(UriPartial.Path) + (url.Query.Length > 0 ? "?…" : string.Empty);
    }

    private static AuditEvent Event(string type, WebhookEndpoint endpoint, string actor, string? requestId, IReadOnlyList<string>? messages)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["webhook_id"] = endpoint.Id,
            ["url"] = Display(endpoint.Url),
            ["events"] = string.Join(',', endpoint.Events),
        };
        if (messages is not null)
        {
            details["messages"] = string.Join(' ', messages.Take(100));
            details["count"] = messages.Count.ToString(CultureInfo.InvariantCulture);
        }

        return new AuditEvent
        {
            Type = type,
            Actor = actor,
            Action = type[(type.IndexOf('.', StringComparison.Ordinal) + 1)..],
            Resource = "webhook:" + endpoint.Id,
            RequestId = requestId,
            Details = details,
        };
    }

    private static string Clip(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
