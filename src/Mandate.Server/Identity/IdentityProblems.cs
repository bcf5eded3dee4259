using Mandate.Core.Audit;
using Mandate.Core.Identity;
using Mandate.Core.Storage;
using Mandate.Server.Problems;

namespace Mandate.Server.Identity;

/// <summary>Turns identity errors into problem details (type = the error's stable code) after auditing the refusal.</summary>
internal static class IdentityProblems
{
    public static int Status(string code) => code switch
    {
        IdentityErrorCodes.IdentityUnknown => StatusCodes.Status404NotFound,
        IdentityErrorCodes.IdentityExists or IdentityErrorCodes.IdentityTransitionRefused => StatusCodes.Status409Conflict,
        IdentityErrorCodes.IdentityInactive or IdentityErrorCodes.AttestationNoRuleMatched => StatusCodes.Status403Forbidden,
        IdentityErrorCodes.AttestationIssuerUnavailable => StatusCodes.Status503ServiceUnavailable,
        IdentityErrorCodes.AttestationIssuerUntrusted or IdentityErrorCodes.AttestationTokenReplayed or IdentityErrorCodes.JoinTokenInvalid => StatusCodes.Status401Unauthorized,
        _ when code.StartsWith("token-", StringComparison.Ordinal) => StatusCodes.Status401Unauthorized,
        _ => StatusCodes.Status400BadRequest,
    };

    public static string Title(string code) => code switch
    {
        _ when code.StartsWith("token-", StringComparison.Ordinal) => "The token is not valid.",
        _ when code.StartsWith("csr-", StringComparison.Ordinal) => "The certificate signing request is refused.",
        _ when code.StartsWith("attestation-", StringComparison.Ordinal) || code == IdentityErrorCodes.JoinTokenInvalid => "Attestation failed.",
        _ when code.StartsWith("svid-", StringComparison.Ordinal) => "The SVID request is not valid.",
        _ => "The identity request is refused.",
    };

    /// <summary>Audits the refusal (type <c>identity.request_rejected</c>, reason = code) and answers with problem details.</summary>
    public static async Task<IResult> RejectAsync(
        HttpContext context,
        IdentityError error,
        string action,
        string? subject,
        int? status = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        await AuditRefusalAsync(context, error.Code, action, subject, cancellationToken);
        return Problem.Result(status ?? Status(error.Code), error.Code, Title(error.Code), error.Message);
    }

    /// <summary>Records <c>identity.request_rejected</c> (reason = the problem code); a store outage does not stop the refusal.</summary>
    public static Task AuditRefusalAsync(HttpContext context, string code, string action, string? subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Endpoint handlers reach the store and the trail through the request's services, as minimal APIs do.
        return AuditRefusalAsync(
            context.RequestServices.GetRequiredService<IMandateStore>(),
            context.RequestServices.GetRequiredService<IAuditTrail>(),
            context,
            code,
            action,
            subject,
            cancellationToken);
    }

    /// <summary>Records <c>identity.request_rejected</c> with the given store and trail (for services that have them injected).</summary>
    public static async Task AuditRefusalAsync(IMandateStore store, IAuditTrail audit, HttpContext context, string code, string action, string? subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await using var session = await store.BeginAsync(StoreIntent.Write, cancellationToken);
            await audit.RecordAsync(
                session,
                new AuditEvent
                {
                    Type = "identity.request_rejected",
                    Actor = context.User.FindFirst("sub")?.Value ?? (context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null) ?? context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    Subject = subject,
                    Action = action,
                    Resource = context.Request.Path,
                    Decision = "deny",
                    Reason = code,
                    RequestId = context.TraceIdentifier,
                },
                cancellationToken);
            await session.CommitAsync(cancellationToken);
        }
        catch (StoreException)
        {
            // The refusal stands even if the store cannot record it; readiness reports the store.
        }
    }
}
