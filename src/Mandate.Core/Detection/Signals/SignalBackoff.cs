namespace Mandate.Core.Detection.Signals;

/// <summary>The wait before the next attempt of an outbox message: exponential, jittered, capped.</summary>
internal static class SignalBackoff
{
    /// <summary>
    /// The wait after the <paramref name="attempts"/>-th failed attempt: <paramref name="initial"/> doubled for each
    /// failure after the first, spread by ±20 % (<paramref name="unit"/> in [0, 1) picks where), never above <paramref name="max"/>.
    /// </summary>
    public static TimeSpan After(int attempts, TimeSpan initial, TimeSpan max, double unit)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var raw = initial.TotalMilliseconds * Math.Pow(2, exponent);
        var capped = Math.Min(raw, max.TotalMilliseconds);
        var jittered = capped * (0.8 + (Math.Clamp(unit, 0, 1) * 0.4));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, max.TotalMilliseconds));
    }
}
