using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server.Authentication;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mandate.Server.Endpoints;

internal static class AuditTimelineEndpoints
{
    /// <summary>
    /// <c>GET /v1/identities/{id}/timeline</c>: the identity's credentials, their uses, decisions, delegations and
    /// revocations, rebuilt from the audit ledger. A SPIFFE ID goes in percent-encoded (its slashes as %2F).
    /// </summary>
    public static IEndpointRouteBuilder MapAuditTimelineEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/identities/{id}/timeline", async (string id, IMandateStore store, CancellationToken cancellationToken) =>
        {
            // Routing leaves %2F encoded inside a segment; SPIFFE IDs need their slashes back.
            var identity = Uri.UnescapeDataString(id);
            if (identity.Length is 0 or > 2048)
            {
                return Problem.BadRequest("The identity is empty or longer than 2048 characters.");
            }

            await using var session = await store.BeginAsync(StoreIntent.Read, cancellationToken);
            var timeline = await AuditTimelineBuilder.BuildAsync(session, identity, cancellationToken);
            return TypedResults.Ok(timeline);
        }).RequireAuthorization(AuthorizationPolicies.Admin);
        return app;
    }
}
