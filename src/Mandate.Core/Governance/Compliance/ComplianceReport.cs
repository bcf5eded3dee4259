namespace Mandate.Core.Governance.Compliance;

/// <summary>The compliance report: one row per control, each measured at <see cref="GeneratedAt"/>.</summary>
internal sealed record ComplianceReport(DateTimeOffset GeneratedAt, IReadOnlyList<ComplianceRow> Rows)
{
    public IReadOnlyDictionary<string, int> Summary =>
        new[] { ComplianceAssessment.Met, ComplianceAssessment.Partial, ComplianceAssessment.NotMet, ComplianceAssessment.NotMeasured }
            .ToDictionary(s => s, s => Rows.Count(r => r.Status == s), StringComparer.Ordinal);
}

internal sealed record ComplianceRow(string Framework, string Id, string Name, string Capability, string Status, string Measured, IReadOnlyList<ComplianceEvidence> Evidence);
