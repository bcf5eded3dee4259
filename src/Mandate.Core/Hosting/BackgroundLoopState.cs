namespace Mandate.Core.Hosting;

/// <summary>One background loop's last reported state: running (<see cref="FailingSince"/> null) or failing.</summary>
internal sealed record BackgroundLoopState(string Loop, DateTimeOffset? FailingSince, int Failures, string? LastErrorKind)
{
    public static BackgroundLoopState Running(string loop) => new(loop, null, 0, null);

    public bool IsFailing => FailingSince is not null;
}
