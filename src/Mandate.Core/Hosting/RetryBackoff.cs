namespace Mandate.Core.Hosting;

/// <summary>
/// Exponential backoff with full jitter, capped: the pause after the n-th consecutive failure is a random time between
/// half and all of min(cap, initial × 2ⁿ⁻¹), so nodes that failed together do not retry together.
/// </summary>
internal sealed class RetryBackoff(TimeSpan initial, TimeSpan cap)
{
    public static readonly TimeSpan DefaultInitial = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan DefaultCap = TimeSpan.FromSeconds(30);

    private int failures;

    public RetryBackoff()
        : this(DefaultInitial, DefaultCap)
    {
    }

    public int Failures => failures;

    /// <summary>The pause before the next attempt after one more failure.</summary>
    public TimeSpan Next()
    {
        failures = Math.Min(failures + 1, 30);
        var ceiling = Math.Min(cap.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, failures - 1));
#pragma warning disable CA5394 // Jitter spreads retries; it protects nothing and needs no cryptographic randomness.
        var jittered = ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2;
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(jittered);
    }

    public void Reset() => failures = 0;
}
