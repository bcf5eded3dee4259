namespace Mandate.Server.Tests.Identity;

/// <summary>A clock tests move by hand. Timers are real (never fire in these tests' time frame); only "now" is moved.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);

    public void Set(DateTimeOffset to) => Interlocked.Exchange(ref ticks, to.UtcTicks);
}
