using System.Text.Json.Serialization;
using Mandate.Core.Governance.Compliance;
using Mandate.Core.Operators;
using Mandate.Server.Operators;
using Mandate.Server.Problems;

namespace Mandate.Server.Governance;

/// <summary><c>GET /v1/compliance/report[?format=json|md|html]</c> (auditor and up): the compliance report measured now.</summary>
internal static class ComplianceEndpoints
{
    public static IEndpointRouteBuilder MapComplianceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/compliance/report", ReportAsync).RequireOperatorRole(OperatorRole.Auditor);
        return app;
    }

    /// <summary>The report in the format the query names; the console's download serves it through here too.</summary>
    internal static async Task<IResult> ReportAsync(HttpContext context, ComplianceService compliance, CancellationToken cancellationToken)
    {
        var format = context.Request.Query["format"].ToString();
        if (format is not ("" or "json" or "md" or "html"))
        {
            return Problem.BadRequest("format: json (default), md or html.");
        }

        var report = await compliance.ReportAsync(cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return format switch
        {
            "md" => TypedResults.Text(ComplianceFormats.Markdown(report), "text/markdown; charset=utf-8"),
            "html" => TypedResults.Text(ComplianceFormats.Html(report), "text/html; charset=utf-8"),
            _ => TypedResults.Ok(ReportView.From(report)),
        };
    }

    internal sealed record ReportView(DateTimeOffset GeneratedAt, IReadOnlyDictionary<string, int> Summary, MeasurementsView Measurements, IReadOnlyList<ControlView> Controls)
    {
        public static ReportView From(ComplianceReport report) => new(
            report.GeneratedAt,
            report.Summary,
            MeasurementsView.From(report.Facts),
            [.. report.Rows.Select(r => new ControlView(r.Framework, r.Id, r.Name, r.Capability, r.Status, r.Measured, [.. r.Evidence.Select(e => new EvidenceView(e.Kind, e.Ref, e.Sequence))]))]);
    }

    /// <summary>The live facts every status was computed from, for an auditor to check the statuses against.</summary>
    internal sealed record MeasurementsView(
        int ActiveIdentities,
        int ActiveIdentitiesWithOwnerAndExpiry,
        double? ShareWithOwnerAndExpiry,
        int RegisteredActive,
        int ImportedActive,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? LongestCredentialLifetimeSeconds,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? OldestStaticSecretAgeDays,
        long TaskCredentialMaxLifetimeSeconds,
        long RevocationReconcileSeconds,
        long Revocations,
        bool LedgerVerified,
        long LedgerRecords,
        long LedgerCheckpoints,
        IReadOnlyDictionary<string, int> OpenFindings,
        bool DetectionEnabled,
        IReadOnlyList<string> DetectionRulesEnabled,
        IReadOnlyList<string> DetectionRulesDisabled,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? PolicyVersion,
        int Permits,
        int Forbids,
        int OperatorsEnabled)
    {
        public static MeasurementsView From(ComplianceFacts f)
        {
            var total = f.RegisteredActive + f.Store.ImportedActive;
            var owned = f.RegisteredWithOwner + f.Store.ImportedWithOwnerAndExpiry;
            return new(
                total,
                owned,
                total == 0 ? null : Math.Round((double)owned / total, 4),
                f.RegisteredActive,
                f.Store.ImportedActive,
                f.Store.LongestCredentialLifetime is { } l ? (long)l.TotalSeconds : null,
                f.Store.OldestStaticSecretAge is { } o ? (long)o.TotalDays : null,
                (long)f.TaskMaxTtl.TotalSeconds,
                (long)f.RevocationReconcile.TotalSeconds,
                f.Store.Revocations,
                f.LedgerVerified,
                f.LedgerEvents,
                f.LedgerCheckpoints,
                Mandate.Core.Governance.Findings.FindingKinds.All.ToDictionary(k => k, k => f.OpenFindings.TryGetValue(k, out var n) ? n : 0, StringComparer.Ordinal),
                f.DetectionEnabled,
                f.RulesEnabled,
                f.RulesDisabled,
                f.PolicyVersion,
                f.Permits,
                f.Forbids,
                f.OperatorsEnabled);
        }
    }

    internal sealed record ControlView(string Framework, string Id, string Name, string Capability, string Status, string Measured, IReadOnlyList<EvidenceView> Evidence);

    internal sealed record EvidenceView(string Kind, string Ref, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Sequence);
}
