using System.Globalization;

namespace Mandate.Core.Detection.Signals;

/// <summary>
/// The HTTP client outbound signals go through (webhooks, pushed SETs): no redirects followed, no cookies, each attempt
/// bounded (headers and body) by the configured timeout, the answer's body read only up to a few kilobytes.
/// </summary>
internal sealed class SignalHttpClient(HttpClient client)
{
    private const int MaxAnswerBytes = 4096;

    public HttpClient Client { get; } = client;

    /// <summary>Sends; 2xx is delivered, <paramref name="permanent"/> statuses give up, anything else is retried.</summary>
    public async Task<SignalAttempt> SendAsync(HttpRequestMessage request, TimeSpan timeout, Func<int, bool> permanent, CancellationToken cancellationToken, Func<int, string, SignalAttempt?>? interpret = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(permanent);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var answer = await ReadBoundedAsync(response, deadline.Token).ConfigureAwait(false);
            if (interpret?.Invoke(status, answer) is { } interpreted)
            {
                return interpreted;
            }

            if (status is >= 200 and < 300)
            {
                return SignalAttempt.Success(status);
            }

            var error = string.Create(CultureInfo.InvariantCulture, $"the receiver answered {status}");
            return permanent(status) ? SignalAttempt.GiveUp(status, error) : SignalAttempt.Retry(status, error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SignalAttempt.Retry(null, string.Create(CultureInfo.InvariantCulture, $"no answer within {timeout.TotalSeconds:0.###} s"));
        }
        catch (HttpRequestException ex)
        {
            return SignalAttempt.Retry(null, "the receiver could not be reached" + (ex.HttpRequestError == HttpRequestError.Unknown ? string.Empty : $" ({ex.HttpRequestError})"));
        }
    }

    private static async Task<string> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var streamDisposal = stream.ConfigureAwait(false);
        var buffer = new byte[MaxAnswerBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }
}
