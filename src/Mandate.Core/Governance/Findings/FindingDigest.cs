using System.Security.Cryptography;
using System.Text;

namespace Mandate.Core.Governance.Findings;

/// <summary>
/// A hash of what a finding says (kind, severity, identity, owner, summary, evidence, remediation): a recompute
/// rewrites a stored finding only when its digest differs, so an unchanged estate costs no writes.
/// </summary>
internal static class FindingDigest
{
    public static string Of(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var text = new StringBuilder(256);
        Append(text, finding.Kind);
        Append(text, finding.Severity);
        Append(text, finding.Source);
        Append(text, finding.Identity);
        Append(text, finding.Owner);
        Append(text, finding.Summary);
        Append(text, finding.Remediation);
        foreach (var e in finding.Evidence)
        {
            Append(text, e.Kind);
            Append(text, e.Sequence?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Append(text, e.Name);
            Append(text, e.Value);
            Append(text, e.Source);
            Append(text, e.Id);
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    // Length-prefixed, so no two different field lists join into the same text.
    private static StringBuilder Append(StringBuilder text, string? value) =>
        value is null ? text.Append("-;") : text.Append(value.Length).Append(':').Append(value).Append(';');
}
