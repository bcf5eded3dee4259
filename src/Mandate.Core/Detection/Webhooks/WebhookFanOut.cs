using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Detection.Signals;
using Mandate.Core.Storage;

namespace Mandate.Core.Detection.Webhooks;

/// <summary>
/// One outbox message per subscribed endpoint for every ledger record webhooks carry (<see cref="WebhookEventTypes"/>):
/// an alert as the alerts API shows it, anything else as its ledger record.
/// </summary>
internal sealed class WebhookFanOut(TimeProvider time) : ISignalFanOut
{
    public async Task<bool> HasReceiversAsync(IStoreSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return (await session.Get<IWebhookRepository>().ListAsync(cancellationToken).ConfigureAwait(false)).Count > 0;
    }

    public async Task FanOutAsync(IStoreSession session, IReadOnlyList<AuditRecord> records, ICollection<SignalDelivery> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(output);
        IReadOnlyList<WebhookEndpoint>? endpoints = null;
        foreach (var record in records)
        {
            if (WebhookEventTypes.Of(record.Event.Type) is not { } type)
            {
                continue;
            }

            endpoints ??= await session.Get<IWebhookRepository>().ListAsync(cancellationToken).ConfigureAwait(false);
            var subscribed = endpoints.Where(e => e.Events.Contains(type, StringComparer.Ordinal)).ToList();
            if (subscribed.Count == 0)
            {
                continue;
            }

            string payload;
            if (type == WebhookEventTypes.AlertRaised
                && record.Event.Details?.GetValueOrDefault("alert_id") is { } alertId
                && await session.Get<IDetectionRepository>().GetAlertAsync(alertId, cancellationToken).ConfigureAwait(false) is { } alert)
            {
                payload = SignalPayloads.Webhook(type, record.Time, w => SignalPayloads.WriteAlert(w, alert));
            }
            else
            {
                payload = SignalPayloads.Webhook(type, record.Time, w => SignalPayloads.WriteRecord(w, record));
            }

            var now = time.GetUtcNow();
            foreach (var endpoint in subscribed)
            {
                output.Add(new SignalDelivery
                {
                    Id = "msg_" + CompactJti.New(),
                    Channel = SignalChannels.Webhook,
                    Target = endpoint.Id,
                    EventType = type,
                    Payload = payload,
                    CreatedAt = now,
                    NextAttemptAt = now,
                });
            }
        }
    }
}
