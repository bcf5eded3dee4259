using Mandate.Core.Detection.Signals;

namespace Mandate.Core.Tests.Detection;

public sealed class SignalBackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Max = TimeSpan.FromHours(1);

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(5, 80)]
    public void After_ShouldDoubleFromTheInitialWait(int attempts, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), SignalBackoff.After(attempts, Initial, Max, 0.5));

    [Fact]
    public void After_ShouldSpreadByTwentyPercent_AndNeverExceedTheCap()
    {
        Assert.Equal(TimeSpan.FromSeconds(8), SignalBackoff.After(2, Initial, Max, 0));
        Assert.True(SignalBackoff.After(2, Initial, Max, 0.999) < TimeSpan.FromSeconds(12));
        Assert.Equal(Max, SignalBackoff.After(20, Initial, Max, 0.999));
        Assert.Equal(Max, SignalBackoff.After(1000, Initial, Max, 0.5));
        Assert.True(SignalBackoff.After(20, Initial, Max, 0) >= TimeSpan.FromMinutes(48));
    }
}
