using Mandate.Core.Audit;
using Mandate.Core.Storage;

namespace Mandate.Server.Authentication;

/// <summary>Records a refused authentication in the audit log; shared by every authentication scheme.</summary>
internal static class AuthenticationFailureAudit
{
    public static async Task RecordAsync(HttpContext context, IMandateStore store, IAuditTrail audit, string type, string reason)
    {
        try
        {
            await using var session = await store.BeginAsync(StoreIntent.Write, context.RequestAborted);
            await audit.RecordAsync(
                session,
                new AuditEvent
                {
                    Type = type,
                    Actor = context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    Action = context.Request.Method,
                    Resource = context.Request.Path,
                    Decision = "deny",
                    Reason = reason,
                    RequestId = context.TraceIdentifier,
                },
                context.RequestAborted);
            await session.CommitAsync(context.RequestAborted);
        }
        catch (StoreException)
        {
            // The 401 stands whether or not the store can record it; readiness reports the store.
        }
    }
}
