using Mandate.Core.Exceptions;

namespace Mandate.Core.Tests.Exceptions;

public sealed class ExceptionOptionsValidatorTests
{
    [Fact]
    public void Defaults_ShouldBeValid()
    {
        Assert.True(new ExceptionOptionsValidator().Validate(null, new ExceptionOptions()).Succeeded);
    }

    [Fact]
    public void BreakGlass_ShouldNeverBeLongerThanAnHour()
    {
        var result = new ExceptionOptionsValidator().Validate(null, new ExceptionOptions { BreakGlassMaxTtl = TimeSpan.FromMinutes(61) });
        Assert.True(result.Failed);
        Assert.Contains("Mandate:Exceptions:BreakGlassMaxTtl", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new ExceptionOptionsValidator().Validate(null, new ExceptionOptions { BreakGlassMaxTtl = TimeSpan.FromMinutes(20) }).Succeeded);
    }

    [Theory]
    [InlineData("MinTtl")]
    [InlineData("MaxTtl")]
    [InlineData("SweepInterval")]
    public void Settings_ShouldBeRefused_OutOfBounds(string key)
    {
        var options = key switch
        {
            "MinTtl" => new ExceptionOptions { MinTtl = TimeSpan.Zero },
            "MaxTtl" => new ExceptionOptions { MaxTtl = TimeSpan.FromDays(31) },
            _ => new ExceptionOptions { SweepInterval = TimeSpan.Zero },
        };
        var result = new ExceptionOptionsValidator().Validate(null, options);
        Assert.Contains("Mandate:Exceptions:" + key, result.FailureMessage, StringComparison.Ordinal);
    }
}
