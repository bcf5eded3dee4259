namespace Mandate.Tests.Shared;

/// <summary>
/// A clock tests move by hand: only "now" moves; timers still run on real time (tests call sweeps directly rather than
/// wait for them).
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);

    public void Set(DateTimeOffset to) => Interlocked.Exchange(ref ticks, to.UtcTicks);
}
