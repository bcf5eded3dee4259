using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Mandate.Client;

/// <summary>
/// The resilience pipeline of the PDP's HttpClient, from <see cref="MandateClientOptions"/>: up to
/// <see cref="MandateClientOptions.MaxRetries"/> retries of a transport failure, an attempt timeout, 408, 429 or 5xx
/// (decisions are idempotent), the first after <see cref="MandateClientOptions.RetryBaseDelay"/>, doubling per retry
/// with ±50% jitter; each attempt bounded by <see cref="MandateClientOptions.AttemptTimeout"/>.
/// </summary>
internal static class MandateClientResilience
{
    public const string PipelineName = "mandate-pdp";

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, MandateClientOptions settings)
    {
        if (settings.MaxRetries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxRetries,

                // The backoff below, not the server's Retry-After: the same delays whatever the PDP answers.
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Backoff(settings.RetryBaseDelay, args.AttemptNumber)),
            });
        }

        pipeline.AddTimeout(settings.AttemptTimeout);
    }

    /// <summary>The status codes worth another attempt, as the retry handles them.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    // attempt 0 is the first retry.
    private static TimeSpan Backoff(TimeSpan baseDelay, int attempt)
    {
        var jitter = 0.5 + Random.Shared.NextDouble();
        return TimeSpan.FromMilliseconds(baseDelay.TotalMilliseconds * Math.Pow(2, attempt) * jitter);
    }
}
