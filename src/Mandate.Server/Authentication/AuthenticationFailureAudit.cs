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
    public async Task RecordAsync(HttpContext context, string type, string reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        limit.Failed(context);
        var address = context.Connection.RemoteIpAddress;
        var network = ClientNetwork.Of(address, 64);
        var record = new AuditEvent
        {
            Type = type,
            Actor = address?.ToString() ?? "unknown",
            Action = context.Request.Method,
            Resource = Truncate(context.Request.Path.ToString()),
            Decision = "deny",
            Reason = reason,
            RequestId = context.TraceIdentifier,
        };
        try
        {
            await repetitions.RecordAsync(string.Join('\n', type, network, reason), record, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client went away while the queue was full: the 401 stands; the queue's backlog is being written.
        }
    }

    /// <summary>The path is the caller's: bounded before it is audited.</summary>
    private static string Truncate(string path) => path.Length <= 256 ? path : path[..256] + "…";
}
