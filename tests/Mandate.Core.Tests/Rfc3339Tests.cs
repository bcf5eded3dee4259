namespace Mandate.Core.Tests;

public sealed class Rfc3339Tests
{
    [Theory]
    [InlineData("2026-01-31T12:00:00Z", "2026-01-31T12:00:00.0000000+00:00")]
    [InlineData("2026-01-31t12:00:00z", "2026-01-31T12:00:00.0000000+00:00")]
    [InlineData("2026-01-31 12:00:00+02:00", "2026-01-31T10:00:00.0000000+00:00")]
    [InlineData("2026-01-31T12:00:00.5-01:30", "2026-01-31T13:30:00.5000000+00:00")]
    public void TryParse_ShouldAcceptRfc3339_AndReturnTheInstantInUtc(string text, string expected)
    {
        Assert.True(Rfc3339.TryParse(text, out var value));
        Assert.Equal(expected, value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1/2/2026")]
    [InlineData("2026-01-31")]
    [InlineData("2026-01-31T12:00:00")]
    [InlineData("2026-01-31T12:00Z")]
    [InlineData("2026-02-30T12:00:00Z")]
    [InlineData("2026-01-31T12:00:00.123456789Z")]
    [InlineData("yesterday")]
    public void TryParse_ShouldRefuseAnythingElse(string? text) => Assert.False(Rfc3339.TryParse(text, out _));
}
