using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Mandate.Core.Detection.Signals;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Detection.Webhooks;

/// <summary>
/// POSTs one webhook message, signed per the Standard Webhooks specification (<c>webhook-id</c>: the message id, the
/// same on every retry; <c>webhook-timestamp</c>: this attempt's Unix seconds; <c>webhook-signature</c>: <c>v1,…</c>).
/// Any 2xx answer delivers it; 410 Gone gives up at once (the receiver says the endpoint is gone); anything else, a
/// timeout or a connection failure is retried. Redirects are not followed.
/// </summary>
internal sealed class WebhookSender(IMandateStore store, WebhookSecrets secrets, SignalHttpClient http, IOptions<SignalOptions> options, TimeProvider time) : ISignalSender
{
    public string Channel => SignalChannels.Webhook;

    public async Task<SignalAttempt> SendAsync(SignalDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        WebhookEndpoint? endpoint;
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            endpoint = await session.Get<IWebhookRepository>().GetAsync(delivery.Target, cancellationToken).ConfigureAwait(false);
        }

        if (endpoint is null)
        {
            return SignalAttempt.GiveUp(null, "the webhook endpoint was removed");
        }

        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", delivery.Id);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", secrets.Sign(endpoint, delivery.Id, timestamp, delivery.Payload));
        return await http.SendAsync(request, options.Value.Timeout, status => status == 410, cancellationToken).ConfigureAwait(false);
    }
}
