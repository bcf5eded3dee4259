using Mandate.Server.Authentication;
using Mandate.Server.Operators;

namespace Mandate.Server.Console;

/// <summary>
/// A console action refused for want of a role or by separation of duties: answered 403 and recorded in the ledger as
/// <c>access.forbidden</c>, exactly as the API records the same refusal.
/// </summary>
internal static class ConsoleRefusals
{
    public static async Task ForbiddenAsync(HttpContext context, string message, string? requiredRole = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await context.RequestServices.GetRequiredService<AuthenticationFailureAudit>().RecordForbiddenAsync(context, context.OperatorActor(), message, requiredRole);
    }
}
