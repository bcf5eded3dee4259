using Mandate.Core.Identity;

namespace Mandate.Core.Tests.Identity;

/// <summary>The CRL's validity (its nextUpdate) is bounded: refused at start outside 1 minute to 7 days, naming the setting.</summary>
public sealed class X509CrlValiditySettingsTests
{
    [Theory]
    [InlineData(0, true)]
    [InlineData(59, true)]
    [InlineData(60, false)]
    [InlineData(3600, false)]
    [InlineData(7 * 24 * 3600, false)]
    [InlineData((7 * 24 * 3600) + 1, true)]
    public void X509CrlValidity_ShouldBeBounded(int seconds, bool refused)
    {
        var result = new IdentityOptionsValidator().Validate(null, new IdentityOptions { X509CrlValidity = TimeSpan.FromSeconds(seconds) });
        Assert.Equal(refused, result.Failed && result.Failures!.Any(f => f.Contains("X509CrlValidity", StringComparison.Ordinal)));
    }
}
