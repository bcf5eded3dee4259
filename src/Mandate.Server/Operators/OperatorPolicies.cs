using Mandate.Core.Operators;
using Microsoft.AspNetCore.Authorization;

namespace Mandate.Server.Operators;

/// <summary>
/// The authorization vocabulary of the admin API: one policy per operator role (<c>Operator:Auditor</c>,
/// <c>Operator:Reviewer</c>, <c>Operator:Approver</c>, <c>Operator:Security</c>, <c>Operator:Admin</c>), satisfied by a
/// named operator holding the role (or <c>admin</c>; every role satisfies <c>auditor</c>) or by the bootstrap admin
/// token. An endpoint says <c>.RequireOperatorRole(OperatorRole.Security)</c>; a caller without it gets 403
/// <c>forbidden</c> naming the role. The map of existing endpoints to roles is in docs/operators.md.
/// </summary>
internal static class OperatorPolicies
{
    public const string Auditor = "Operator:Auditor";
    public const string Reviewer = "Operator:Reviewer";
    public const string Approver = "Operator:Approver";
    public const string Security = "Operator:Security";
    public const string Admin = "Operator:Admin";

    public static string For(OperatorRole role) => role switch
    {
        OperatorRole.Auditor => Auditor,
        OperatorRole.Reviewer => Reviewer,
        OperatorRole.Approver => Approver,
        OperatorRole.Security => Security,
        OperatorRole.Admin => Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    /// <summary>Requires an operator (or the bootstrap admin token) holding <paramref name="role"/>.</summary>
    public static TBuilder RequireOperatorRole<TBuilder>(this TBuilder builder, OperatorRole role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(For(role));
}

/// <summary>The requirement behind each <see cref="OperatorPolicies"/> policy.</summary>
internal sealed class OperatorRoleRequirement(OperatorRole role) : AuthorizationHandler<OperatorRoleRequirement>, IAuthorizationRequirement
{
    public OperatorRole Role { get; } = role;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperatorRoleRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        if (ActingOperator.Of(context.User) is { } acting && acting.Holds(requirement.Role))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
