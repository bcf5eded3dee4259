using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using Mandate.Core.Decisions;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Identity;

/// <summary>
/// Answers a request refused by <see cref="AttestationRateLimitPolicy"/>: 429 problem details (<c>rate-limited</c>)
/// with <c>Retry-After</c>. Every refusal is counted in the <c>mandate.attestation.rate_limited</c> metric and in the
/// ledger through <see cref="AuditRepetitions"/> (the first per client and endpoint in each window is written and logged,
/// the repeats are counted into one record), so that a flood cannot turn into a flood of log lines and ledger writes.
/// Nothing of the request body (the token) is read.
/// </summary>
internal sealed class AttestationRateLimitRefusals
{
    public const string MetricName = "mandate.attestation.rate_limited";
    private readonly IOptions<AttestationRateLimitOptions> options;
    private readonly ILogger<AttestationRateLimitRefusals> logger;
    private readonly AuditRepetitions repetitions;
    private readonly Counter<long> refused;

    public AttestationRateLimitRefusals(IOptions<AttestationRateLimitOptions> options, IMeterFactory meters, ILogger<AttestationRateLimitRefusals> logger, AuditRepetitions repetitions)
    {
        ArgumentNullException.ThrowIfNull(meters);
        this.repetitions = repetitions;
        this.options = options;
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

        try
        {
            var record = IdentityRefusals.Describe(http, ProblemTypes.RateLimited.Code, endpoint, null);
            if (await repetitions.RecordAsync(string.Join('\n', "attestation_rate_limited", endpoint, client), record, cancellationToken))
            {
                IdentityLog.AttestationRateLimited(logger, settings.PermitLimit, settings.Window, endpoint, client);
            }
        }
        catch (OperationCanceledException)
        {
            // The client left; the 429 needs no audit record of its own.
        }

        await Problem.WriteAsync(
            http,
            StatusCodes.Status429TooManyRequests,
            ProblemTypes.RateLimited,
            $"Too many attestation requests from this client; retry after {seconds} seconds.");
    }
}
