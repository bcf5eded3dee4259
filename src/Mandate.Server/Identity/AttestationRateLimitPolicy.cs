using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Identity;

/// <summary>
/// One fixed-window limiter per attestation endpoint and client network (<see cref="ClientNetwork"/>), so a client
/// flooding one endpoint neither slows other clients nor uses up its own budget on the other endpoint. Idle limiters
/// are dropped by the rate-limiting middleware, so spraying addresses does not grow memory without bound.
/// </summary>
internal sealed class AttestationRateLimitPolicy(IOptions<AttestationRateLimitOptions> options, AttestationRateLimitRefusals refusals) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => refusals.OnRejectedAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }

        return RateLimitPartition.GetFixedWindowLimiter(
            PartitionKey(httpContext, settings),
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.PermitLimit,
                Window = settings.Window,
                QueueLimit = settings.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
    }

    /// <summary>The endpoint's name (<c>attest_oidc</c>, <c>attest_join</c>), or its path when it has none.</summary>
    public static string EndpointName(HttpContext httpContext) =>
        httpContext.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? httpContext.Request.Path.ToString();

    public static string Client(HttpContext httpContext, AttestationRateLimitOptions settings) =>
        ClientNetwork.Of(httpContext.Connection.RemoteIpAddress, settings.Ipv6PrefixLength);

    public static string PartitionKey(HttpContext httpContext, AttestationRateLimitOptions settings) =>
        EndpointName(httpContext) + " " + Client(httpContext, settings);
}
