namespace Mandate.Core.Governance.Compliance;

/// <summary>
/// A control's status measured now: <c>met</c>, <c>partial</c>, <c>not_met</c> or <c>not_measured</c> (no live
/// measurement; <see cref="Measured"/> says what the row rests on instead), what was measured, and the evidence.
/// </summary>
internal sealed record ComplianceAssessment(string Status, string Measured, IReadOnlyList<ComplianceEvidence> Evidence)
{
    public const string Met = "met";
    public const string Partial = "partial";
    public const string NotMet = "not_met";
    public const string NotMeasured = "not_measured";

    private static readonly string[] Order = [NotMet, Partial, Met, NotMeasured];

    /// <summary>The parts together: the worst measured status (a part not measured counts only when all are).</summary>
    public static ComplianceAssessment All(params ComplianceAssessment[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var status = Order.First(s => parts.Any(p => p.Status == s));
        return new ComplianceAssessment(status, string.Join("; ", parts.Select(p => p.Measured)), [.. parts.SelectMany(p => p.Evidence).Distinct()]);
    }
}

/// <summary>Where to look: an API path (<c>api</c>) or a ledger record (<c>ledger</c>, with its proof's path).</summary>
internal sealed record ComplianceEvidence(string Kind, string Ref, long? Sequence = null)
{
    public static ComplianceEvidence Api(string path) => new("api", path);

    public static ComplianceEvidence Ledger(long sequence) => new("ledger", $"/v1/audit/events/{sequence}/proof", sequence);
}
