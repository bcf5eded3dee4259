using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Governance.Findings;

namespace Mandate.Core.Tests.Governance;

/// <summary>
/// The digest stored with every finding: written straight to UTF-8 now, it must stay the hash of the same
/// length-prefixed text it always was (its first 8 bytes, big-endian: the value of the first 16 hex digits of the digest
/// stored before migration 0632, which PostgreSQL converts in place), or every stored finding would be rewritten once
/// after an upgrade.
/// </summary>
public sealed class FindingDigestTests
{
    // The text the digest was defined over: each field LENGTH:VALUE; (UTF-16 length), "-;" for none, hashed as UTF-8.
    private static long Reference(Finding finding)
    {
        var text = new StringBuilder();
        void Append(string? value) => (value is null ? text.Append("-;") : text.Append(value.Length).Append(':').Append(value).Append(';')).ToString();
        Append(finding.Kind);
        Append(finding.Severity);
        Append(finding.Source);
        Append(finding.Identity);
        Append(finding.Owner);
        Append(finding.Summary);
        Append(finding.Remediation);
        foreach (var e in finding.Evidence)
        {
            Append(e.Kind);
            Append(e.Sequence?.ToString(CultureInfo.InvariantCulture));
            Append(e.Name);
            Append(e.Value);
            Append(e.Source);
            Append(e.Id);
        }

        var hex = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))[..16]);
        return unchecked((long)ulong.Parse(hex[..16], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
    }

    private static Finding Make(string summary, string? owner, params FindingEvidence[] evidence) => new()
    {
        Id = "fnd_0123456789abcdef0123",
        Kind = "stale",
        Severity = "medium",
        Source = "aws",
        Identity = "arn:aws:iam::1:user/x",
        Owner = owner,
        Summary = summary,
        Evidence = evidence,
        Remediation = "Rotate it.",
    };

    public static TheoryData<int> Cases() => [0, 1, 2, 3, 4];

    private static Finding Case(int index) => index switch
    {
        0 => Make("plain", "team:a", FindingEvidence.Field("access_key_1_last_used_date", "2026-01-01T00:00:00Z", "aws")),
        1 => Make("no owner, no evidence", null),
        2 => Make("ledger", "o", new FindingEvidence { Kind = "ledger", Sequence = long.MaxValue }, new FindingEvidence { Kind = "ledger", Sequence = -12 }, new FindingEvidence { Kind = "ledger" }),
        3 => Make("non-ASCII é 日本 😀 and a lone surrogate \ud800 and a very long text " + new string('x', 5_000), "ö", new FindingEvidence { Kind = "policy", Id = "p\"1" }),
        _ => Make("", "", FindingEvidence.Field("", "", "")),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Of_ShouldHashTheLengthPrefixedText(int index)
    {
        var finding = Case(index);
        Assert.Equal(Reference(finding), FindingDigest.Of(finding));
    }

    [Fact]
    public void Of_ShouldDiffer_WhenFieldsJoinTheSameWay() =>
        Assert.NotEqual(FindingDigest.Of(Make("ab", "c")), FindingDigest.Of(Make("a", "bc")));

    [Fact]
    public void Of_ShouldCoverTheSignBit()
    {
        // Both halves of the range occur: the integer is the hash's bits, not a positive rewrite of them.
        var digests = Enumerable.Range(0, 64).Select(i => FindingDigest.Of(Make($"s{i}", null))).ToList();
        Assert.Contains(digests, d => d < 0);
        Assert.Contains(digests, d => d > 0);
    }
}
