namespace Mandate.Core.Governance.Compliance;

/// <summary>The compliance report: one row per control, each measured at <see cref="GeneratedAt"/>, and the facts measured.</summary>
internal sealed record ComplianceReport(DateTimeOffset GeneratedAt, IReadOnlyList<ComplianceRow> Rows, ComplianceFacts Facts)
{
    public IReadOnlyDictionary<string, int> Summary =>
        new[] { ComplianceAssessment.Met, ComplianceAssessment.Partial, ComplianceAssessment.NotMet, ComplianceAssessment.NotMeasured }
            .ToDictionary(s => s, s => Rows.Count(r => r.Status == s), StringComparer.Ordinal);
}

internal sealed record ComplianceRow(string Framework, string Id, string Name, string Capability, string Status, string Measured, IReadOnlyList<ComplianceEvidence> Evidence);
