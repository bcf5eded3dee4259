using System.Text.Json;
using Mandate.Core.Governance.Findings;
using Mandate.Storage.Relational.Repositories;

namespace Mandate.Storage.Tests.Governance;

/// <summary>The hand-written evidence encoder writes exactly what the serializer writes, so stored evidence does not change.</summary>
public sealed class FindingEvidenceJsonTests
{
    public static TheoryData<string> Cases() => ["field", "ledger", "policy", "mixed", "escapes", "empty"];

    private static List<FindingEvidence> Evidence(string name) => name switch
    {
        "field" => [FindingEvidence.Field("access_key_1_last_used_date", "2026-01-01T00:00:00Z", "aws"), FindingEvidence.Field("owner", null, "k8s")],
        "ledger" => [new FindingEvidence { Kind = "ledger", Sequence = 42 }, new FindingEvidence { Kind = "ledger", Sequence = long.MaxValue }, new FindingEvidence { Kind = "ledger", Sequence = -1 }],
        "policy" => [new FindingEvidence { Kind = "policy", Id = "policy0" }],
        "mixed" => [new FindingEvidence { Kind = "x", Sequence = 7, Name = "n", Value = "v", Source = "s", Id = "i" }, new FindingEvidence { Kind = "y" }],
        "escapes" => [FindingEvidence.Field("quote\"back\\slash\nline\ttab", "<script>&'+ é 日本 😀 \u0001 \ud800", "src")],
        _ => [],
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_ShouldWriteWhatTheSerializerWrites_AndReadBack(string name)
    {
        var evidence = Evidence(name);
        var encoded = FindingEvidenceJson.Encode(evidence);
        Assert.Equal(JsonSerializer.Serialize(evidence, FindingEvidenceJson.Options), encoded);
        Assert.Equal(JsonSerializer.Deserialize<List<FindingEvidence>>(encoded, FindingEvidenceJson.Options), FindingEvidenceJson.Decode(encoded));
    }

    [Fact]
    public void Encode_ShouldNotCarryAnythingOver_FromTheCallBefore()
    {
        var first = FindingEvidenceJson.Encode(Evidence("escapes"));
        var second = FindingEvidenceJson.Encode(Evidence("policy"));
        Assert.Equal("[{\"kind\":\"policy\",\"id\":\"policy0\"}]", second);
        Assert.NotEqual(first, second);
    }
}
