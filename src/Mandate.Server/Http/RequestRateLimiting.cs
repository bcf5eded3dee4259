using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Mandate.Server.Identity;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Http;

/// <summary>
/// One rate limit (configuration <c>Mandate:RateLimits:Decisions</c>, <c>Mandate:RateLimits:AuthenticatedDecisions</c> or
/// <c>Mandate:RateLimits:Credentials</c>): a fixed window of <see cref="PermitLimit"/> requests per client network (an
/// IPv4 address, an IPv6 prefix), or per authenticated caller for <c>AuthenticatedDecisions</c>.
/// </summary>
internal sealed class RequestRateLimitOptions
{
    public bool Enabled { get; set; } = true;

    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; }

    /// <summary>IPv6 clients are counted per prefix of this length (one host usually holds a whole /64).</summary>
    public int Ipv6PrefixLength { get; set; } = 64;
}

/// <summary>
/// Per-client rate limits on the endpoints anyone can reach with a request that costs the server work: the decision
/// point (<c>/access/v1/*</c>, <c>/v1/decisions/permitted</c>: <see cref="DecisionRateLimits"/>, per authenticated caller
/// and, for unauthenticated or failing callers, per client network) and the credential endpoints (<c>/oauth2/*</c> token,
/// introspection and revocation, <c>/v1/svid/*</c>, <c>/v1/tasks*</c>; default 600 per minute per client). Attestation
/// has its own limit (<see cref="AttestationRateLimitOptions"/>). A refusal is a 429 problem (<c>rate-limited</c>) with
/// <c>Retry-After</c>, counted in <c>mandate.requests.rate_limited</c> and audited once per client and window (repeats
/// folded by <see cref="AuditRepetitions"/>).
/// </summary>
internal static class RequestRateLimiting
{
    public const string DecisionsLimit = "decisions";
    public const string AuthenticatedDecisionsLimit = "authenticated-decisions";
    public const string CredentialsLimit = "credentials";
    public const string DecisionsSection = "Mandate:RateLimits:Decisions";
    public const string AuthenticatedDecisionsSection = "Mandate:RateLimits:AuthenticatedDecisions";
    public const string CredentialsSection = "Mandate:RateLimits:Credentials";
    public const string MetricName = "mandate.requests.rate_limited";

    public static IServiceCollection AddRequestRateLimiting(this IServiceCollection services)
    {
        foreach (var (name, section, permits, window) in new[]
        {
            // Unauthenticated and failing callers of the decision point, per client network.
            (DecisionsLimit, DecisionsSection, 1000, TimeSpan.FromSeconds(1)),
            // Each authenticated caller of the decision point (PEP credential, JWT-SVID, admin), wherever it calls from.
            (AuthenticatedDecisionsLimit, AuthenticatedDecisionsSection, 10_000, TimeSpan.FromSeconds(1)),
            (CredentialsLimit, CredentialsSection, 600, TimeSpan.FromMinutes(1)),
        })
        {
            services.AddOptions<RequestRateLimitOptions>(name)
                .Configure(o => (o.PermitLimit, o.Window) = (permits, window))
                .BindConfiguration(section)
                .Validate(o => o.PermitLimit > 0, section + ":PermitLimit must be greater than 0.")
                .Validate(o => o.Window > TimeSpan.Zero, section + ":Window must be greater than 0.")
                .Validate(o => o.Ipv6PrefixLength is >= 1 and <= 128, section + ":Ipv6PrefixLength must be between 1 and 128.")
                .ValidateOnStart();
        }

        services.AddSingleton<RequestRateLimitRefusals>();
        services.AddSingleton<DecisionRateLimits>();
        services.AddSingleton<CredentialRateLimit>();
        services.AddRateLimiter(o => o.RejectionStatusCode = StatusCodes.Status429TooManyRequests);
        return services;
    }

    /// <summary>
    /// One fixed window per key of the limit <paramref name="limit"/>; its settings are read when a key's window is
    /// created, so a reload applies to new keys. The partition is asked for on every request it limits: one factory
    /// for the limiter, not a closure per request.
    /// </summary>
    internal static PartitionedRateLimiter<string> FixedWindows(IOptionsMonitor<RequestRateLimitOptions> options, string limit)
    {
        Func<string, RateLimiter> factory = _ =>
        {
            var settings = options.Get(limit);
            return new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.PermitLimit,
                Window = settings.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        };
        return PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, factory));
    }
}

/// <summary>Answers a request refused by a <see cref="RequestRateLimiting"/> limit: 429, counted, audited once per window.</summary>
internal sealed class RequestRateLimitRefusals
{
    private readonly IOptionsMonitor<RequestRateLimitOptions> options;
    private readonly AuditRepetitions repetitions;
    private readonly Counter<long> refused;

    public RequestRateLimitRefusals(IOptionsMonitor<RequestRateLimitOptions> options, AuditRepetitions repetitions, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        this.options = options;
        this.repetitions = repetitions;
        refused = meters.Create(MandateServer.MeterName).CreateCounter<long>(RequestRateLimiting.MetricName, "{request}", "Requests refused by a per-client rate limit");
    }

    /// <summary>
    /// Counts, audits (once per <paramref name="partition"/> and window) and answers one refused request: the 429 problem
    /// to return, with <c>Retry-After</c> already set. <paramref name="who"/> names the budget in the problem's detail.
    /// </summary>
    public async ValueTask<IResult> RefuseAsync(HttpContext http, string limit, string partition, string who, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var settings = options.Get(limit);
        refused.Add(1, new KeyValuePair<string, object?>("limit", limit));
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        try
        {
            await repetitions.RecordAsync(
                string.Join('\n', "rate_limited", limit, partition),
                new AuditEvent
                {
                    Type = "request.rate_limited",
                    Actor = partition,
                    Action = http.Request.Method,
                    Resource = limit,
                    Decision = "deny",
                    Reason = $"more than {settings.PermitLimit} requests per {settings.Window}",
                    RequestId = http.TraceIdentifier,
                },
                cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The client left; the 429 needs no audit record of its own.
        }

        return Problem.Result(
            StatusCodes.Status429TooManyRequests,
            ProblemTypes.RateLimited,
            $"Too many requests from {who}; retry after {seconds} seconds.");
    }
}
