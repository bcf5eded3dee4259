using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Mandate.Core.Audit;

/// <summary>
/// Keeps secrets out of the ledger: anything shaped like a JWT (or JWE), a bearer header, one of Mandate's own secret
/// formats (admin tokens <c>mdt_…</c>, join tokens <c>mjt_…</c>, PEP tokens <c>mpt_…</c>,
/// operator tokens <c>mot_…</c>, webhook secrets <c>whsec_…</c>), or the value of a details key
/// that names a secret is replaced by a short SHA-256 fingerprint, so the event is still recorded and correlatable
/// but the token cannot be replayed from the log.
/// </summary>
internal static partial class AuditSecretGuard
{
    private static readonly HashSet<string> SecretKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "token", "access_token", "refresh_token", "id_token", "subject_token", "actor_token", "client_secret",
        "secret", "password", "private_key", "authorization", "assertion", "client_assertion", "api_key", "bearer",
    };

    /// <summary>The event with every secret-looking value replaced, and the names of the fields that were redacted.</summary>
    public static AuditEvent Sanitize(AuditEvent auditEvent, out IReadOnlyList<string> redactedFields)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        if (!NeedsRedaction(auditEvent))
        {
            // Nearly every event: one vectorized scan per field, no copy.
            redactedFields = [];
            return auditEvent;
        }

        var redacted = new List<string>();
        string? Clean(string? value, string field)
        {
            if (value is null)
            {
                return null;
            }

            var cleaned = RedactTokens(value);
            if (!ReferenceEquals(cleaned, value))
            {
                redacted.Add(field);
            }

            return cleaned;
        }

        List<string>? chain = null;
        if (auditEvent.Chain is { } originalChain)
        {
            chain = new List<string>(originalChain.Count);
            for (var i = 0; i < originalChain.Count; i++)
            {
                chain.Add(Clean(originalChain[i], $"chain[{i}]")!);
            }
        }

        Dictionary<string, string>? details = null;
        if (auditEvent.Details is { } originalDetails)
        {
            details = new Dictionary<string, string>(originalDetails.Count, StringComparer.Ordinal);
            foreach (var (key, value) in originalDetails)
            {
                if (SecretKeys.Contains(key) && !IsFingerprint(value))
                {
                    details[key] = Fingerprint(value);
                    redacted.Add($"details.{key}");
                }
                else
                {
                    details[key] = Clean(value, $"details.{key}")!;
                }
            }
        }

        var sanitized = auditEvent with
        {
            Type = Clean(auditEvent.Type, "type")!,
            Actor = Clean(auditEvent.Actor, "actor"),
            Subject = Clean(auditEvent.Subject, "subject"),
            Chain = chain,
            Action = Clean(auditEvent.Action, "action"),
            Resource = Clean(auditEvent.Resource, "resource"),
            Decision = Clean(auditEvent.Decision, "decision"),
            PolicyVersion = Clean(auditEvent.PolicyVersion, "policy_version"),
            CredentialId = Clean(auditEvent.CredentialId, "jti"),
            TaskId = Clean(auditEvent.TaskId, "task_id"),
            Reason = Clean(auditEvent.Reason, "reason"),
            RequestId = Clean(auditEvent.RequestId, "request_id"),
            Details = details,
        };
        redactedFields = redacted;
        return redacted.Count == 0 ? auditEvent : sanitized;
    }

    /// <summary>Whether a member or details key of this name holds a secret (its value is kept as a fingerprint).</summary>
    public static bool IsSecretName(string name) => SecretKeys.Contains(name);

    /// <summary>Whether a text holds something shaped like a JWT/JWE or a bearer credential.</summary>
    public static bool ContainsToken(string value) => TokenPattern().IsMatch(value ?? string.Empty);

    /// <summary><c>sha256:</c> and the first 16 hex digits of the value's SHA-256: enough to correlate, useless to replay.</summary>
    public static string Fingerprint(string value) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value ?? string.Empty)))[..16];

    private static bool IsFingerprint(string value) => value.StartsWith("sha256:", StringComparison.Ordinal) && value.Length <= 71;

    private static bool NeedsRedaction(AuditEvent e)
    {
        if (MayHoldToken(e.Type) || MayHoldToken(e.Actor) || MayHoldToken(e.Subject) || MayHoldToken(e.Action)
            || MayHoldToken(e.Resource) || MayHoldToken(e.Decision) || MayHoldToken(e.PolicyVersion)
            || MayHoldToken(e.CredentialId) || MayHoldToken(e.TaskId) || MayHoldToken(e.Reason) || MayHoldToken(e.RequestId))
        {
            return true;
        }

        if (e.Chain is { } chain)
        {
            for (var i = 0; i < chain.Count; i++)
            {
                if (MayHoldToken(chain[i]))
                {
                    return true;
                }
            }
        }

        if (e.Details is IReadOnlyList<KeyValuePair<string, string>> pairs)
        {
            // A decision's details (DecisionAuditDetails) are indexed: no enumerator object per audited decision.
            for (var i = 0; i < pairs.Count; i++)
            {
                if (IsSecret(pairs[i]))
                {
                    return true;
                }
            }
        }
        else if (e.Details is { } details)
        {
            foreach (var pair in details)
            {
                if (IsSecret(pair))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsSecret(KeyValuePair<string, string> detail) =>
        (SecretKeys.Contains(detail.Key) && !IsFingerprint(detail.Value)) || MayHoldToken(detail.Value);

    /// <summary>
    /// Cheap pre-check: every pattern needs "eyJ", "bearer", "basic", "t_" (mdt_, mjt_, mpt_, mot_) or "whsec_" and at
    /// least 16 characters; most fields have none. One vectorized scan (case-insensitive: a superset, never a miss).
    /// </summary>
    private static bool MayHoldToken(string? value) =>
        value is { Length: >= 16 } && value.AsSpan().IndexOfAny(TokenMarkers) >= 0 && TokenPattern().IsMatch(value);

    private static readonly System.Buffers.SearchValues<string> TokenMarkers =
        System.Buffers.SearchValues.Create(["eyJ", "bearer", "basic", "t_", "whsec_"], StringComparison.OrdinalIgnoreCase);

    private static string RedactTokens(string value)
    {
        if (!MayHoldToken(value))
        {
            return value;
        }

        return TokenPattern().Replace(value, m => "[redacted " + Fingerprint(m.Value) + "]");
    }

    // Compact JWS/JWE: a base64url JSON header ("eyJ") and at least two more dot-separated base64url parts; or a
    // bearer/basic authorization value; or a Mandate admin, join, PEP or operator token (a prefix and at least 16 token
    // characters); or a webhook signing secret (whsec_ and base64).
    [GeneratedRegex(@"eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*)?|(?i:\b(bearer|basic)\s+)[A-Za-z0-9_\-\.~\+/]{16,}=*|\bm[djpo]t_[A-Za-z0-9_\-]{16,}|\bwhsec_[A-Za-z0-9\+/]{16,}=*", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}
