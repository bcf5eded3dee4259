using System.Text.Json;
using Mandate.Core.Identity;

namespace Mandate.Core.Tests.Identity;

/// <summary>Every case of the SPIFFE ID corpus (tests/conformance/spiffe) is accepted or rejected as the standard says.</summary>
public sealed class SpiffeIdConformanceTests
{
    public static TheoryData<int, string, bool, string> Cases()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "conformance", "spiffe", "spiffe-ids.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var data = new TheoryData<int, string, bool, string>();
        var index = 0;
        foreach (var c in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(index++, c.GetProperty("id").GetString()!, c.GetProperty("valid").GetBoolean(), c.GetProperty("reason").GetString()!);
        }

        return data;
    }

    [Fact]
    public void Corpus_ShouldHoldEveryCase()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "conformance", "spiffe", "spiffe-ids.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(document.RootElement.GetProperty("count").GetInt32(), document.RootElement.GetProperty("cases").GetArrayLength());
        Assert.Equal(67, Cases().Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_ShouldMatchTheCorpus(int index, string id, bool valid, string reason)
    {
        var accepted = SpiffeId.TryParse(id, out var parsed, out var error);

        Assert.True(accepted == valid, $"case {index} ({reason}): expected {(valid ? "accept" : "reject")}, got {(accepted ? "accept" : "reject: " + error)}");
        if (accepted)
        {
            Assert.Equal(id, parsed!.Value);
            Assert.Equal(id, SpiffeId.Scheme + parsed.TrustDomain + parsed.Path);
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(error));
        }
    }

    [Fact]
    public void Parse_ShouldSplitTrustDomainAndPath()
    {
        var id = SpiffeId.Parse("spiffe://demo.mandate.local/svc/billing");
        Assert.Equal("demo.mandate.local", id.TrustDomain);
        Assert.Equal("/svc/billing", id.Path);
        Assert.True(id.HasPath);
        Assert.True(id.IsMemberOf("demo.mandate.local"));
        Assert.False(id.IsMemberOf("demo.mandate.locals"));
    }

    [Fact]
    public void Parse_ShouldRefuseIdsLongerThan2048Bytes()
    {
        var id = "spiffe://example.org/" + new string('a', 2048);
        Assert.False(SpiffeId.TryParse(id, out _, out var error));
        Assert.Contains("2048", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Equality_ShouldBeExactStringEquality()
    {
        Assert.Equal(SpiffeId.Parse("spiffe://a/b"), SpiffeId.Parse("spiffe://a/b"));
        Assert.NotEqual(SpiffeId.Parse("spiffe://a/b"), SpiffeId.Parse("spiffe://a/B"));
    }
}
