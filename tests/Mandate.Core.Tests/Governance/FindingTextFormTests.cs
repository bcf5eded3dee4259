using Mandate.Core.Governance.Findings;

namespace Mandate.Core.Tests.Governance;

/// <summary>Finding ids and the times and dates in summaries keep the exact form they had (stored findings match them).</summary>
public sealed class FindingTextFormTests
{
    [Theory]
    [InlineData("stale", "aws", "arn:aws:iam::1:user/x", "access_key_1")]
    [InlineData("no_owner", "k8s", "ns/name", null)]
    [InlineData("orphaned", "json", "é 日本 😀 \ud800", "")]
    public void Id_ShouldBeTheHashOfTheJoinedText(string kind, string source, string identity, string? slot)
    {
        static string Expected(string kind, string source, string identity, string? slot) =>
            "fnd_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{kind}\n{source}\n{identity}\n{slot}")))[..20];
        Assert.Equal(Expected(kind, source, identity, slot), FindingRules.Id(kind, source, identity, slot));

        // Longer than the stack buffer: hashed from a pooled one.
        var longer = identity + new string('x', 3_000);
        Assert.Equal(Expected(kind, source, longer, slot), FindingRules.Id(kind, source, longer, slot));
    }

    [Fact]
    public void TimeAndDate_ShouldFormatAsBefore()
    {
        var random = new Random(15);
        var offsets = new[] { TimeSpan.Zero, TimeSpan.FromHours(5.5), TimeSpan.FromHours(-8) };
        for (var i = 0; i < 2_000; i++)
        {
            var utc = new DateTime(random.NextInt64(DateTime.MinValue.AddDays(1).Ticks, DateTime.MaxValue.AddDays(-1).Ticks), DateTimeKind.Utc);
            var t = new DateTimeOffset(utc).ToOffset(offsets[i % offsets.Length]);
            Assert.Equal(t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), FindingRules.Time(t));
            Assert.Equal(t.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), FindingRules.Date(t));
        }
    }
}
