using System.Threading.RateLimiting;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// Fixed one-minute windows: requests per credential (one agent cannot flood the gateway or the decision point) and
/// calls per tool (all agents together cannot flood one upstream tool). Idle partitions are dropped by the limiter.
/// </summary>
internal sealed class GatewayRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string>? perCredential;
    private readonly PartitionedRateLimiter<string>? perTool;

    public GatewayRateLimits(GatewayLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        perCredential = Create(limits.RequestsPerMinutePerCredential);
        perTool = Create(limits.CallsPerMinutePerTool);
    }

    public bool AcquireForCredential(string credentialKey, out TimeSpan retryAfter) => Acquire(perCredential, credentialKey, out retryAfter);

    public bool AcquireForTool(string tool, out TimeSpan retryAfter) => Acquire(perTool, tool, out retryAfter);

    /// <summary>
    /// Whether the tool has calls left this window, without taking one: checked before deciding, so a tool that is
    /// already at its limit costs no decision (and leaves no "allow" in the ledger for a call that never ran), while
    /// only calls that were allowed take from its budget (a caller with a forged token cannot exhaust it for others).
    /// </summary>
    public bool ToolHasCallsLeft(string tool) =>
        perTool is null || perTool.GetStatistics(tool) is not { } statistics || statistics.CurrentAvailablePermits > 0;

    private static bool Acquire(PartitionedRateLimiter<string>? limiter, string key, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (limiter is null)
        {
            return true;
        }

        using var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
        return false;
    }

    private static PartitionedRateLimiter<string>? Create(int perMinute) =>
        perMinute <= 0
            ? null
            : PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(
                key, _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true }));

    public void Dispose()
    {
        perCredential?.Dispose();
        perTool?.Dispose();
    }
}
