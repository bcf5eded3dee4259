using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mandate.Core.Detection.Signals;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Detection.SharedSignals;

/// <summary>
/// Pushes one SET per RFC 8935: <c>POST</c> of the compact SET as <c>application/secevent+jwt</c> to the stream's
/// endpoint, with its Authorization header when configured; <c>202 Accepted</c> (any 2xx) delivers it. A
/// <c>400</c> with an RFC 8935 error (<c>{"err","description"}</c>) is the receiver refusing the SET itself: not
/// retried, dead at once; anything else is retried. A stream that is paused (or no longer push) holds its SETs.
/// </summary>
internal sealed class SsfPushSender(IMandateStore store, PrivateKeyProtector protector, SignalHttpClient http, IOptions<SignalOptions> options) : ISignalSender
{
    public string Channel => SignalChannels.SharedSignals;

    public async Task<SignalAttempt> SendAsync(SignalDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        SsfStream? stream;
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            stream = await session.Get<ISsfRepository>().GetStreamAsync(delivery.Target, cancellationToken).ConfigureAwait(false);
        }

        if (stream is null)
        {
            return SignalAttempt.GiveUp(null, "the stream was deleted");
        }

        if (!stream.IsPush || stream.EndpointUrl is null || stream.Status != SsfStreamStatus.Enabled)
        {
            return SignalAttempt.NotPushed($"the stream is {stream.Status} ({(stream.IsPush ? "push" : "poll")})");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, stream.EndpointUrl)
        {
            Content = new StringContent(delivery.Payload, Encoding.ASCII),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/secevent+jwt");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (stream.ProtectedAuthorization is { } protectedAuthorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", SsfTransmitter.UnprotectAuthorization(protector, stream.Id, protectedAuthorization));
        }

        return await http.SendAsync(request, options.Value.Timeout, _ => false, cancellationToken, Interpret).ConfigureAwait(false);
    }

    /// <summary>A 400 carrying an RFC 8935 error is final; other answers go the usual way.</summary>
    private static SignalAttempt? Interpret(int status, string answer)
    {
        if (status != 400)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(answer);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("err", out var err) && err.ValueKind == JsonValueKind.String)
            {
                var description = document.RootElement.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? ": " + d.GetString() : string.Empty;
                var text = $"the receiver refused the SET ({err.GetString()}{description})";
                return SignalAttempt.GiveUp(status, text.Length > 500 ? text[..500] : text);
            }
        }
        catch (JsonException)
        {
            // Not an RFC 8935 error: an ordinary failed attempt.
        }

        return null;
    }
}
