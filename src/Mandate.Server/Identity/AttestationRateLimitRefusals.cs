using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Identity;

/// <summary>
/// Answers a request refused by <see cref="AttestationRateLimitPolicy"/>: 429 problem details (<c>rate-limited</c>)
/// with <c>Retry-After</c>. Every refusal is counted in the <c>mandate.attestation.rate_limited</c> metric; only the
/// first per client and endpoint in each window is logged and audited, so that a flood cannot turn into a flood of log
/// lines and ledger writes. Nothing of the request body (the token) is read.
/// </summary>
internal sealed class AttestationRateLimitRefusals
{
    public const string MetricName = "mandate.attestation.rate_limited";
    private readonly IOptions<AttestationRateLimitOptions> options;
    private readonly TimeProvider time;
    private readonly ILogger<AttestationRateLimitRefusals> logger;
    private readonly IdentityRefusals refusals;
    private readonly Counter<long> refused;
    private readonly ConcurrentDictionary<string, DateTimeOffset> lastRecorded = new(StringComparer.Ordinal);

    public AttestationRateLimitRefusals(IOptions<AttestationRateLimitOptions> options, TimeProvider time, IMeterFactory meters, ILogger<AttestationRateLimitRefusals> logger, IdentityRefusals refusals)
    {
        ArgumentNullException.ThrowIfNull(meters);
        this.refusals = refusals;
        this.options = options;
        this.time = time;
        this.logger = logger;
        refused = meters.Create(MandateServer.MeterName).CreateCounter<long>(MetricName, "{request}", "Attestation requests refused by the rate limit");
    }

    public async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var settings = options.Value;
        var endpoint = AttestationRateLimitPolicy.EndpointName(http);
        var client = AttestationRateLimitPolicy.Client(http, settings);
        refused.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint));

        // The fixed-window lease reports the window's length (an upper bound of the wait); whole seconds, at least one.
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : settings.Window;
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);

        if (FirstInWindow(endpoint + " " + client, settings.Window))
        {
            IdentityLog.AttestationRateLimited(logger, settings.PermitLimit, settings.Window, endpoint, client);
            await refusals.AuditAsync(http, ProblemTypes.RateLimited, endpoint, null, cancellationToken);
        }

        await Problem.WriteAsync(
            http,
            StatusCodes.Status429TooManyRequests,
            ProblemTypes.RateLimited,
            "Too many requests.",
            $"Too many attestation requests from this client; retry after {seconds} seconds.");
    }

    private bool FirstInWindow(string key, TimeSpan window)
    {
        var now = time.GetUtcNow();
        if (lastRecorded.TryGetValue(key, out var previous) && now - previous < window && now >= previous)
        {
            return false;
        }

        lastRecorded[key] = now;
        if (lastRecorded.Count > 10_000)
        {
            foreach (var (k, at) in lastRecorded)
            {
                if (now - at >= window)
                {
                    lastRecorded.TryRemove(k, out _);
                }
            }
        }

        return true;
    }
}
