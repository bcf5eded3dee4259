using Mandate.Core.Governance.Findings;
using Mandate.Storage.Relational.Repositories;

namespace Mandate.Storage.Tests.Governance;

/// <summary>The order a bulk write of findings takes: every finding once, by identity, stable among equal identities.</summary>
public sealed class FindingInsertOrderTests
{
    private static Finding Make(string identity, string kind) => new()
    {
        Id = FindingRules.Id(kind, "aws", identity, null),
        Kind = kind,
        Severity = "medium",
        Source = "aws",
        Identity = identity,
        Summary = "",
        Evidence = [],
        Remediation = "",
    };

    public static TheoryData<string> Shapes => ["empty", "one", "sorted", "sorted then unsorted tail", "reversed", "random"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void InsertOrder_ShouldBeAPermutation_ByIdentity_StableAmongEqualIdentities(string shape)
    {
        var random = new Random(shape.Length);
        var sorted = Enumerable.Range(0, 2_000).Select(i => Make($"arn:{i / 3:D4}", "k" + (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var findings = shape switch
        {
            "empty" => [],
            "one" => [sorted[0]],
            "sorted" => sorted,
            // A recompute's shape: the inventory's findings in order, then other rules' findings about any identity.
            "sorted then unsorted tail" => [.. sorted, .. sorted.Take(300).OrderBy(_ => random.Next()).Select(f => f with { Kind = "later" })],
            "reversed" => Enumerable.Reverse(sorted).ToList(),
            _ => sorted.OrderBy(_ => random.Next()).ToList(),
        };

        var order = FindingRepository.InsertOrder(findings);

        Assert.Equal(Enumerable.Range(0, findings.Count), order.Order());
        var expected = Enumerable.Range(0, findings.Count).OrderBy(i => findings[i].Identity, StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, order);
    }
}
