using Mandate.Core.Admin;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Operators;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Named operators in the server.</summary>
public static class OperatorServerServiceCollectionExtensions
{
    /// <summary>
    /// Named operators in the server (after <c>AddOperators</c>): settings from <c>Mandate:Operators</c> and
    /// <c>Mandate:Admin</c>, one authorization policy per role (<see cref="OperatorPolicies"/>; the older
    /// <see cref="AuthorizationPolicies.Admin"/> is the admin role's), and the 403 answer that names the missing role.
    /// </summary>
    public static MandateBuilder AddOperatorHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<OperatorOptions>().BindConfiguration(OperatorOptions.SectionName);
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName);
        // Replaces the framework default whatever the order of registration (the framework only TryAdds its own).
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, OperatorForbiddenHandler>();
        var policies = services.AddAuthorizationBuilder();
        foreach (var role in OperatorRoles.All)
        {
            policies.AddPolicy(OperatorPolicies.For(role), p => p
                .AddAuthenticationSchemes(AdminAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .AddRequirements(new OperatorRoleRequirement(role)));
        }

        policies.AddPolicy(AuthorizationPolicies.Admin, p => p
            .AddAuthenticationSchemes(AdminAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .AddRequirements(new OperatorRoleRequirement(OperatorRole.Admin)));
        return builder;
    }
}
