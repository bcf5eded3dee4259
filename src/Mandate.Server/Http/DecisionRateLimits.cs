using System.Threading.RateLimiting;
using Mandate.Server.Identity;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Http;

/// <summary>
/// The decision point's rate limits (<c>/access/v1/*</c>, <c>/v1/decisions/permitted</c>). An authenticated caller (a PEP
/// credential, a JWT-SVID, the admin token or an operator) has a budget of its own
/// (<c>Mandate:RateLimits:AuthenticatedDecisions</c>, default 10,000 requests per second), wherever it calls from: two
/// enforcement points behind one NAT or proxy do not share one, and one runaway enforcement point cannot use up the
/// others'. Callers without a credential, and callers whose credential is refused, share their client network's budget
/// (<c>Mandate:RateLimits:Decisions</c>, default 1,000 per second), and refused credentials also count against the
/// authentication-failure brake (<see cref="Authentication.AuthenticationFailureLimit"/>). A request without a credential
/// is counted before anything else is done for it; one with a credential after it is checked, because only then is it
/// known whose budget it takes. Over a limit is a 429 <c>rate-limited</c> with <c>Retry-After</c>
/// (<see cref="RequestRateLimitRefusals"/>).
/// </summary>
internal sealed class DecisionRateLimits : IDisposable
{
    private readonly IOptionsMonitor<RequestRateLimitOptions> options;
    private readonly RequestRateLimitRefusals refusals;
    private readonly PartitionedRateLimiter<string> networks;
    private readonly PartitionedRateLimiter<string> callers;

    public DecisionRateLimits(IOptionsMonitor<RequestRateLimitOptions> options, RequestRateLimitRefusals refusals)
    {
        this.options = options;
        this.refusals = refusals;
        networks = RequestRateLimiting.FixedWindows(options, RequestRateLimiting.DecisionsLimit);
        callers = RequestRateLimiting.FixedWindows(options, RequestRateLimiting.AuthenticatedDecisionsLimit);
    }

    /// <summary>
    /// Takes a permit from the caller's client network (a caller without a credential, or whose credential was refused):
    /// null, or the 429 to answer instead.
    /// </summary>
    public ValueTask<IResult?> AdmitUnauthenticatedAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var settings = options.Get(RequestRateLimiting.DecisionsLimit);
        if (!settings.Enabled)
        {
            return ValueTask.FromResult<IResult?>(null);
        }

        var network = ClientNetwork.Of(http.Connection.RemoteIpAddress, settings.Ipv6PrefixLength);
        return AdmitAsync(http, networks, RequestRateLimiting.DecisionsLimit, network, "this client", settings);
    }

    /// <summary>Takes a permit from the authenticated <paramref name="caller"/>'s own budget: null, or the 429 to answer instead.</summary>
    public ValueTask<IResult?> AdmitCallerAsync(HttpContext http, string caller)
    {
        ArgumentNullException.ThrowIfNull(http);
        var settings = options.Get(RequestRateLimiting.AuthenticatedDecisionsLimit);
        if (!settings.Enabled)
        {
            return ValueTask.FromResult<IResult?>(null);
        }

        return AdmitAsync(http, callers, RequestRateLimiting.AuthenticatedDecisionsLimit, caller, "this enforcement point credential", settings);
    }

    public void Dispose()
    {
        networks.Dispose();
        callers.Dispose();
    }

    private async ValueTask<IResult?> AdmitAsync(HttpContext http, PartitionedRateLimiter<string> limiter, string limit, string partition, string who, RequestRateLimitOptions settings)
    {
        TimeSpan retryAfter;
        using (var lease = limiter.AttemptAcquire(partition))
        {
            if (lease.IsAcquired)
            {
                return null;
            }

            retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : settings.Window;
        }

        return await refusals.RefuseAsync(http, limit, partition, who, retryAfter, http.RequestAborted);
    }
}
