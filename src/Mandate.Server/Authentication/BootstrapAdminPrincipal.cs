using System.Security.Claims;
using Mandate.Core.Operators;

namespace Mandate.Server.Authentication;

/// <summary>
/// The bootstrap admin's principal. Its claims are the same for every request that presents the bootstrap token, so
/// it is built once and shared: the token itself is still checked on every request (<see cref="AdminAuthenticationHandler"/>),
/// only the object that names the caller afterwards is reused. Sharing is sound only while no request changes it, so
/// its identity list and claim list refuse changes (an <c>IClaimsTransformation</c> or endpoint that wants to add to
/// the caller's principal must clone it first), rather than letting one request's change reach every later one.
/// </summary>
internal static class BootstrapAdminPrincipal
{
    public static ClaimsPrincipal Instance { get; } = new FrozenPrincipal(new FrozenIdentity(
        [new Claim(ClaimTypes.Name, OperatorActors.BootstrapAdmin), new Claim(ClaimTypes.Role, AdminAuthenticationHandler.Role)],
        AdminAuthenticationHandler.SchemeName));

    private static InvalidOperationException Shared() =>
        new("The bootstrap admin's principal is shared by every request that presents the bootstrap token; clone it to change it.");

    private sealed class FrozenPrincipal(ClaimsIdentity identity) : ClaimsPrincipal(identity)
    {
        public override void AddIdentity(ClaimsIdentity identity) => throw Shared();

        public override void AddIdentities(IEnumerable<ClaimsIdentity> identities) => throw Shared();
    }

    /// <summary>The base constructor adds the claims without the overridable methods, so only later changes are refused.</summary>
    private sealed class FrozenIdentity(IEnumerable<Claim> claims, string authenticationType) : ClaimsIdentity(claims, authenticationType)
    {
        public override void AddClaim(Claim claim) => throw Shared();

        public override void AddClaims(IEnumerable<Claim?> claims) => throw Shared();

        public override void RemoveClaim(Claim? claim) => throw Shared();

        public override bool TryRemoveClaim(Claim? claim) => throw Shared();

        // A clone is the caller's own to change: an ordinary identity with the same claims.
        public override ClaimsIdentity Clone() => new(this);
    }
}
