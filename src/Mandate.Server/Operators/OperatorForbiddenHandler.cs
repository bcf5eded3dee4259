using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Mandate.Server.Operators;

/// <summary>
/// Answers an authenticated operator who lacks a role with 403 <c>forbidden</c> naming the role the call needs (and
/// the roles the caller holds), and records the refusal in the ledger (<c>access.forbidden</c>); everything else
/// (challenges, other requirements) is answered as before.
/// </summary>
internal sealed class OperatorForbiddenHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Forbidden
            && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<OperatorRoleRequirement>().FirstOrDefault() is { } failed
            && ActingOperator.Of(context.User) is { } acting)
        {
            await WriteAsync(context, acting, failed.Role);
            return;
        }

        await fallback.HandleAsync(next, context, policy, authorizeResult);
    }

    /// <summary>The 403 an endpoint answers itself when a check is finer than its policy (its own tokens, say); recorded too.</summary>
    public static IResult Result(ActingOperator acting, OperatorRole required)
    {
        ArgumentNullException.ThrowIfNull(acting);
        return new RecordedForbidden(acting, required);
    }

    private static async Task WriteAsync(HttpContext context, ActingOperator acting, OperatorRole required)
    {
        await RecordAsync(context, acting, required);
        await Problem.WriteAsync(context, StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, Detail(acting, required), Extensions(required));
    }

    private static Task RecordAsync(HttpContext context, ActingOperator acting, OperatorRole required) =>
        context.RequestServices.GetRequiredService<AuthenticationFailureAudit>()
            .RecordForbiddenAsync(context, acting.Actor, Detail(acting, required), OperatorRoles.Name(required));

    private static string Detail(ActingOperator acting, OperatorRole required) =>
        $"This call needs the operator role '{OperatorRoles.Name(required)}'{(required == OperatorRole.Admin ? string.Empty : " (or 'admin')")}; {acting.Actor} holds {string.Join(", ", acting.Roles.Select(OperatorRoles.Name))}.";

    private static Dictionary<string, object?> Extensions(OperatorRole required) => new() { ["required_role"] = OperatorRoles.Name(required) };

    private sealed class RecordedForbidden(ActingOperator acting, OperatorRole required) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, acting, required);
    }
}
