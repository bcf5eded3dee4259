using System.Globalization;
using System.Net;
using System.Text;
using Mandate.Core.Governance.Compliance;

namespace Mandate.Server.Governance;

/// <summary>The compliance report for people: Markdown and a self-contained HTML page, one table per framework.</summary>
internal static class ComplianceFormats
{
    public static string Markdown(ComplianceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Mandate compliance report\n\nMeasured {Time(report.GeneratedAt)} from live state. ");
        text.AppendJoin(", ", report.Summary.Select(s => $"{s.Key}: {s.Value.ToString(CultureInfo.InvariantCulture)}")).Append(".\n\n## Measured now\n\n");
        foreach (var (name, value) in Measurements(report.Facts))
        {
            text.Append("- ").Append(name).Append(": ").Append(value).Append('\n');
        }
        foreach (var framework in report.Rows.GroupBy(r => r.Framework))
        {
            text.Append("\n## ").Append(framework.Key).Append("\n\n| control | name | Mandate capability | status | measured now | evidence |\n|---|---|---|---|---|---|\n");
            foreach (var row in framework)
            {
                text.Append("| ").Append(Cell(row.Id)).Append(" | ").Append(Cell(row.Name)).Append(" | ").Append(Cell(row.Capability))
                    .Append(" | **").Append(row.Status).Append("** | ").Append(Cell(row.Measured)).Append(" | ")
                    .AppendJoin(" ", row.Evidence.Select(e => "`" + e.Ref.Replace("`", "", StringComparison.Ordinal) + "`")).Append(" |\n");
            }
        }

        return text.ToString();
    }

    public static string Html(ComplianceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Mandate compliance report</title>")
            .Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%;margin-bottom:2em}th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}")
            .Append(".met{background:#e6f4ea}.partial{background:#fff4e5}.not_met{background:#fde8e8}.not_measured{background:#f1f1f1}</style></head><body>\n")
            .Append("<h1>Mandate compliance report</h1>\n<p>Measured ").Append(E(Time(report.GeneratedAt))).Append(" from live state. ")
            .AppendJoin(", ", report.Summary.Select(s => E(s.Key) + ": " + s.Value.ToString(CultureInfo.InvariantCulture))).Append(".</p>\n<h2>Measured now</h2>\n<ul>\n");
        foreach (var (name, value) in Measurements(report.Facts))
        {
            html.Append("<li>").Append(E(name)).Append(": ").Append(E(value)).Append("</li>\n");
        }

        html.Append("</ul>\n");
        foreach (var framework in report.Rows.GroupBy(r => r.Framework))
        {
            html.Append("<h2>").Append(E(framework.Key)).Append("</h2>\n<table><thead><tr><th>control</th><th>name</th><th>Mandate capability</th><th>status</th><th>measured now</th><th>evidence</th></tr></thead><tbody>\n");
            foreach (var row in framework)
            {
                html.Append("<tr class=\"").Append(E(row.Status)).Append("\"><td>").Append(E(row.Id)).Append("</td><td>").Append(E(row.Name)).Append("</td><td>")
                    .Append(E(row.Capability)).Append("</td><td>").Append(E(row.Status)).Append("</td><td>").Append(E(row.Measured)).Append("</td><td>")
                    .AppendJoin("<br>", row.Evidence.Select(e => "<code>" + E(e.Ref) + "</code>")).Append("</td></tr>\n");
            }

            html.Append("</tbody></table>\n");
        }

        return html.Append("</body></html>\n").ToString();
    }

    /// <summary>The facts every status was computed from, as lines for people.</summary>
    private static IEnumerable<(string Name, string Value)> Measurements(ComplianceFacts f)
    {
        var total = f.RegisteredActive + f.Store.ImportedActive;
        var owned = f.RegisteredWithOwner + f.Store.ImportedWithOwnerAndExpiry;
        yield return ("identities with an owner and an expiry", total == 0 ? "no active identity" : $"{owned.ToString(CultureInfo.InvariantCulture)} of {total.ToString(CultureInfo.InvariantCulture)} ({((double)owned / total).ToString("P0", CultureInfo.InvariantCulture)})");
        yield return ("longest live Mandate credential lifetime", f.Store.LongestCredentialLifetime is { } l ? ComplianceMeasures.Duration(l) : "no live credential");
        yield return ("oldest active imported static secret", f.Store.OldestStaticSecretAge is { } o ? ComplianceMeasures.Duration(o) : "none");
        yield return ("revocation reaches every node within", ComplianceMeasures.Duration(f.RevocationReconcile));
        yield return ("ledger", f.LedgerVerified ? $"verified, {f.LedgerEvents.ToString(CultureInfo.InvariantCulture)} records, {f.LedgerCheckpoints.ToString(CultureInfo.InvariantCulture)} signed checkpoints" : "does not verify: " + f.LedgerFailure);
        yield return ("open findings", string.Join(", ", Mandate.Core.Governance.Findings.FindingKinds.All.Select(k => $"{k} {(f.OpenFindings.TryGetValue(k, out var n) ? n : 0).ToString(CultureInfo.InvariantCulture)}")));
        yield return ("detection rules enabled", f.DetectionEnabled ? $"{f.RulesEnabled.Count.ToString(CultureInfo.InvariantCulture)} of {(f.RulesEnabled.Count + f.RulesDisabled.Count).ToString(CultureInfo.InvariantCulture)}" : "detection off");
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
