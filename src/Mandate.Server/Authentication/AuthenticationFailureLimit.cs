using System.Globalization;
using System.Threading.RateLimiting;
using Mandate.Server.Identity;
using Mandate.Server.Problems;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Authentication;

/// <summary>
/// Brute-force brake on authentication (configuration <c>Mandate:RateLimits:AuthenticationFailures</c>): every refused
/// admin, workload or PEP credential takes a permit from its client network's fixed window (default 100 per minute);
/// once a network has none left, every request from it that presents credentials is answered 429 (<c>rate-limited</c>,
/// <c>Retry-After</c>) before any credential is checked, until the window ends. Honest callers rarely fail at all.
/// </summary>
internal sealed class AuthenticationFailureLimit : IMiddleware, IDisposable
{
    public const string SectionName = "Mandate:RateLimits:AuthenticationFailures";

    private readonly AuthenticationFailureLimitOptions settings;
    private readonly PartitionedRateLimiter<string> limiter;
    private readonly TimeProvider time;

    // When the last refused authentication was counted (a timestamp; 0: never). While no failure is that recent, no
    // network can have used up its window, and a request with credentials is let through without asking the limiter,
    // whose lock every authenticated request (every decision) otherwise took.
    private long lastFailure;

    public AuthenticationFailureLimit(IOptions<AuthenticationFailureLimitOptions> options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.time = time ?? TimeProvider.System;
        settings = options.Value;
        limiter = PartitionedRateLimiter.Create<string, string>(network => RateLimitPartition.GetFixedWindowLimiter(
            network,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.PermitLimit, Window = settings.Window, QueueLimit = 0, AutoReplenishment = true }));
    }

    /// <summary>Counts one refused authentication against the caller's network.</summary>
    public void Failed(HttpContext context)
    {
        if (settings.Enabled)
        {
            Volatile.Write(ref lastFailure, time.GetTimestamp());
            using var lease = limiter.AttemptAcquire(Network(context));
        }
    }

    /// <summary>Refuses requests with credentials from a network that used up its failures.</summary>
    /// <remarks>
    /// Not an async method: the request's own task is handed back as it is, so a request that waits (a decision waiting
    /// for its audit record's commit) does not also suspend and resume a frame here that has nothing left to do.
    /// </remarks>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Request.Headers.Authorization.Count > 0 && Exhausted(context) is { } refused)
        {
            return refused.ExecuteAsync(context);
        }

        return next(context);
    }

    /// <summary>
    /// The 429 to answer when the caller's network used up its failures, else null: for endpoints whose credential
    /// travels in the body (OIDC sign-in), which the header check above does not see.
    /// </summary>
    public IResult? Exhausted(HttpContext context)
    {
        if (!settings.Enabled || !FailedRecently() || limiter.GetStatistics(Network(context)) is not { CurrentAvailablePermits: 0 })
        {
            return null;
        }

        var seconds = Math.Max(1, (long)Math.Ceiling(settings.Window.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problem.Result(
            StatusCodes.Status429TooManyRequests,
            ProblemTypes.RateLimited,
            $"Too many failed authentications from this client; retry after at most {seconds} seconds.");
    }

    public void Dispose() => limiter.Dispose();

    /// <summary>
    /// Whether a failure was counted recently enough that some network's window may be used up: within the window, plus
    /// a margin for the limiter's replenishment, which runs on a timer.
    /// </summary>
    private bool FailedRecently()
    {
        var last = Volatile.Read(ref lastFailure);
        return last != 0 && time.GetElapsedTime(last) <= settings.Window + TimeSpan.FromSeconds(5);
    }

    private static string Network(HttpContext context) => ClientNetwork.Of(context.Connection.RemoteIpAddress, 64);
}

/// <summary>The settings of <see cref="AuthenticationFailureLimit"/>.</summary>
internal sealed class AuthenticationFailureLimitOptions
{
    public bool Enabled { get; set; } = true;

    public int PermitLimit { get; set; } = 100;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
