using System.Threading.RateLimiting;
using Mandate.Server.Identity;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Http;

/// <summary>
/// The credential endpoints' limit (<c>/oauth2/*</c>, <c>/v1/svid/*</c>, <c>/v1/tasks*</c>;
/// <c>Mandate:RateLimits:Credentials</c>, default 600 requests per minute per client network). A middleware that looks
/// at the path first rather than the rate limiter's global limiter, which takes its lock for every request the server
/// answers, decisions and health checks included, only to find that they are not limited.
/// </summary>
internal sealed class CredentialRateLimit : IDisposable
{
    /// <summary>Path prefixes under the credentials limit.</summary>
    private static readonly string[] CredentialPaths = ["/oauth2/", "/v1/svid/", "/v1/tasks"];

    private readonly IOptionsMonitor<RequestRateLimitOptions> options;
    private readonly RequestRateLimitRefusals refusals;
    private readonly PartitionedRateLimiter<string> limiter;

    public CredentialRateLimit(IOptionsMonitor<RequestRateLimitOptions> options, RequestRateLimitRefusals refusals)
    {
        this.options = options;
        this.refusals = refusals;
        limiter = RequestRateLimiting.FixedWindows(options, RequestRateLimiting.CredentialsLimit);
    }

    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(next);
        var settings = options.Get(RequestRateLimiting.CredentialsLimit);
        return settings.Enabled && IsCredentialPath(http.Request.Path.Value) ? LimitAsync(http, next, settings) : next(http);
    }

    public void Dispose() => limiter.Dispose();

    private async Task LimitAsync(HttpContext http, RequestDelegate next, RequestRateLimitOptions settings)
    {
        var client = ClientNetwork.Of(http.Connection.RemoteIpAddress, settings.Ipv6PrefixLength);
        TimeSpan retryAfter;
        using (var lease = limiter.AttemptAcquire(client))
        {
            if (lease.IsAcquired)
            {
                retryAfter = TimeSpan.Zero;
            }
            else
            {
                retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : settings.Window;
            }
        }

        if (retryAfter == TimeSpan.Zero)
        {
            await next(http);
            return;
        }

        var problem = await refusals.RefuseAsync(http, RequestRateLimiting.CredentialsLimit, client, "this client", retryAfter, http.RequestAborted);
        await problem.ExecuteAsync(http);
    }

    private static bool IsCredentialPath(string? path)
    {
        if (path is null)
        {
            return false;
        }

        foreach (var prefix in CredentialPaths)
        {
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
