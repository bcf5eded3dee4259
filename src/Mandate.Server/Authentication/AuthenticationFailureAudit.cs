using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Mandate.Server.Identity;

namespace Mandate.Server.Authentication;

/// <summary>
/// Records a refused authentication in the audit log; shared by every authentication scheme. The record goes through
/// the batched audit writer (no transaction per refused request), and identical failures (same kind, client network
/// and reason) are folded by <see cref="AuditRepetitions"/>: the first in each window is written, the rest counted in
/// one <c>*.repeated</c> record. 500 anonymous requests are one or two ledger records, not 500 synchronous writes.
/// </summary>
internal sealed class AuthenticationFailureAudit(AuditRepetitions repetitions, AuthenticationFailureLimit limit)
{
    /// <param name="context">The refused request.</param>
    /// <param name="type">The event type (<c>admin.authentication_failed</c>, <c>identity.authentication_failed</c>).</param>
    /// <param name="reason">Why (a code or a short sentence; never the credential).</param>
    /// <param name="subject">The identity whose genuine credential was refused (a workload's SVID at an admin API), when known.</param>
    public async Task RecordAsync(HttpContext context, string type, string reason, string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        limit.Failed(context);
        var address = context.Connection.RemoteIpAddress;
        var network = ClientNetwork.Of(address, 64);
        var record = new AuditEvent
        {
            Type = type,
            Actor = address?.ToString() ?? "unknown",
            Subject = subject,
            Action = context.Request.Method,
            Resource = Truncate(context.Request.Path.ToString()),
            Decision = "deny",
            Reason = reason,
            RequestId = context.TraceIdentifier,
        };
        await FoldAsync(context, string.Join('\n', type, network, reason, subject), record);
    }

    /// <summary>
    /// Records that a genuine Mandate credential that is dead (expired, revoked, or of an identity no longer active) was
    /// presented again, as <c>detection.token_reuse</c> (what the decision point and token exchange write too), folded
    /// like every refused authentication: a client retrying in a loop is one record and a count per window.
    /// </summary>
    public async Task RecordReuseAsync(HttpContext context, string where, string subject, string? jti, string state, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = context.Connection.RemoteIpAddress;
        var record = new AuditEvent
        {
            Type = Mandate.Core.Credentials.TokenReuseDetector.EventType,
            Actor = subject,
            Subject = subject,
            Action = where,
            Resource = Truncate(context.Request.Path.ToString()),
            Decision = "deny",
            CredentialId = jti,
            Reason = state == "identity_inactive"
                ? "a credential of an identity that is no longer active was presented"
                : $"a {state} credential was presented again",
            RequestId = context.TraceIdentifier,
            Details = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["state"] = state,
                ["expired_at"] = expiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["source"] = address?.ToString() ?? "unknown",
            },
        };
        await FoldAsync(context, string.Join('\n', record.Type, subject, jti, state, ClientNetwork.Of(address, 64)), record);
    }

    /// <summary>
    /// Records a refused authorisation (403) of an authenticated caller as <c>access.forbidden</c>: who (the operator,
    /// the admin, the workload), what they called, and the role it needs when that is why. Folded like the failures
    /// (same caller, call and reason), and not counted against the failure limit: the caller did authenticate.
    /// </summary>
    public async Task RecordForbiddenAsync(HttpContext context, string actor, string reason, string? requiredRole = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var record = new AuditEvent
        {
            Type = ForbiddenEventType,
            Actor = actor,
            Action = context.Request.Method,
            Resource = Truncate(context.Request.Path.ToString()),
            Decision = "deny",
            Reason = reason,
            RequestId = context.TraceIdentifier,
            Details = requiredRole is null ? null : new Dictionary<string, string>(StringComparer.Ordinal) { ["required_role"] = requiredRole },
        };
        await FoldAsync(context, string.Join('\n', record.Type, actor, record.Action, record.Resource, reason), record);
    }

    /// <summary>The event a refused authorisation writes.</summary>
    public const string ForbiddenEventType = "access.forbidden";

    private async Task FoldAsync(HttpContext context, string key, AuditEvent record)
    {
        try
        {
            await repetitions.RecordAsync(key, record, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client went away while the queue was full: the refusal stands; the queue's backlog is being written.
        }
    }

    /// <summary>The path is the caller's: bounded before it is audited.</summary>
    private static string Truncate(string path) => path.Length <= 256 ? path : path[..256] + "…";
}
