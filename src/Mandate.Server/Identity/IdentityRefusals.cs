using Mandate.Core.Audit;
using Mandate.Core.Identity;
using Mandate.Core.Storage;
using Mandate.Server.Problems;

namespace Mandate.Server.Identity;

/// <summary>
/// Refuses an identity request: records <c>identity.request_rejected</c> (reason = the problem code) and answers with
/// problem details. Endpoints and the attestation rate limiter take it from the container.
/// </summary>
internal sealed class IdentityRefusals(IMandateStore store, IAuditTrail audit)
{
    /// <summary>Audits the refusal and answers with the error's problem details (status from the code unless given).</summary>
    public async Task<IResult> RejectAsync(
        HttpContext context,
        IdentityError error,
        string action,
        string? subject,
        int? status = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        await AuditAsync(context, error.Code, action, subject, cancellationToken);
        return Problem.Result(status ?? IdentityProblems.Status(error.Code), ProblemTypes.Of(error.Code), error.Message);
    }

    /// <summary>The <c>identity.request_rejected</c> event of a refusal.</summary>
    public static AuditEvent Describe(HttpContext context, string code, string action, string? subject)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new AuditEvent
        {
            Type = "identity.request_rejected",
            Actor = context.User.FindFirst("sub")?.Value ?? (context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null) ?? context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            Subject = subject,
            Action = action,
            Resource = context.Request.Path,
            Decision = "deny",
            Reason = code,
            RequestId = context.TraceIdentifier,
        };
    }

    /// <summary>Records <c>identity.request_rejected</c>; a store outage does not stop the refusal.</summary>
    public async Task AuditAsync(HttpContext context, string code, string action, string? subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await using var session = await store.BeginAsync(StoreIntent.Write, cancellationToken);
            await audit.RecordAsync(session, Describe(context, code, action, subject), cancellationToken);
            await session.CommitAsync(cancellationToken);
        }
        catch (StoreException)
        {
            // The refusal stands even if the store cannot record it; readiness reports the store.
        }
    }
}
