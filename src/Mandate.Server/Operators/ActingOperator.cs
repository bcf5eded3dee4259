using System.Security.Claims;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;

namespace Mandate.Server.Operators;

/// <summary>
/// The person behind an admin-API call, read from the authenticated principal: a named operator (with their roles)
/// or the bootstrap admin token. <see cref="Actor"/> is what every ledger event they cause records as its
/// <c>actor</c>: <c>operator:&lt;name&gt;</c>, or <c>admin</c>.
/// </summary>
internal sealed record ActingOperator(string Actor, string? Name, IReadOnlyList<OperatorRole> Roles, bool IsBootstrapAdmin)
{
    /// <summary>Claim carrying a named operator's name.</summary>
    public const string NameClaim = "mandate:operator";

    /// <summary>Claim carrying one role of the operator (repeated).</summary>
    public const string RoleClaim = "mandate:operator_role";

    /// <summary>Claim carrying the id of the token the operator presented (for audit).</summary>
    public const string TokenIdClaim = "mandate:operator_token";

    /// <summary>Whether the caller holds what <paramref name="required"/> needs (see <see cref="OperatorRoles.Satisfies"/>).</summary>
    public bool Holds(OperatorRole required) => IsBootstrapAdmin || OperatorRoles.Satisfies(Roles, required);

    /// <summary>The acting operator of <paramref name="user"/>, or null when the caller is not an operator (a workload, anonymous).</summary>
    public static ActingOperator? Of(ClaimsPrincipal? user)
    {
        if (user?.Identity is not { IsAuthenticated: true, AuthenticationType: AdminAuthenticationHandler.SchemeName })
        {
            return null;
        }

        if (user.FindFirst(NameClaim)?.Value is { } name)
        {
            var roles = user.FindAll(RoleClaim).Select(c => OperatorRoles.TryParse(c.Value, out var role) ? role : (OperatorRole?)null).OfType<OperatorRole>().ToList();
            return new ActingOperator(OperatorActors.Of(name), name, OperatorRoles.Normalize(roles), false);
        }

        return user.IsInRole(AdminAuthenticationHandler.Role) ? new ActingOperator(OperatorActors.BootstrapAdmin, null, OperatorRoles.All, true) : null;
    }

    /// <summary>The ledger actor of the caller: <c>operator:&lt;name&gt;</c> or <c>admin</c> (<c>unknown</c> when not an operator).</summary>
    public static string ActorOf(ClaimsPrincipal? user) => Of(user)?.Actor ?? "unknown";

    /// <summary>A principal for a named operator authenticated with one of their tokens.</summary>
    public static ClaimsPrincipal Principal(OperatorAccount account, OperatorToken token)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(token);
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, account.Actor),
            new(NameClaim, account.Name),
            new(TokenIdClaim, token.Id),
        };
        claims.AddRange(account.Roles.Select(r => new Claim(RoleClaim, OperatorRoles.Name(r))));
        if (account.Roles.Contains(OperatorRole.Admin))
        {
            // Admin operators have every right of the bootstrap token (decision diagnostics, /readyz details, /metrics).
            claims.Add(new Claim(ClaimTypes.Role, AdminAuthenticationHandler.Role));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, AdminAuthenticationHandler.SchemeName));
    }
}

/// <summary>The acting operator of a request, for endpoints: <c>context.ActingOperator()</c>.</summary>
internal static class ActingOperatorExtensions
{
    public static ActingOperator? ActingOperator(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Operators.ActingOperator.Of(context.User);
    }

    /// <summary>The ledger actor of the request's caller (<c>operator:&lt;name&gt;</c> or <c>admin</c>).</summary>
    public static string OperatorActor(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Operators.ActingOperator.ActorOf(context.User);
    }
}
