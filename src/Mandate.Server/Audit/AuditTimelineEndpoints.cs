using Mandate.Core.Audit;
using Mandate.Core.Identity;
using Mandate.Core.Storage;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Operators;
using Mandate.Server.Problems;

namespace Mandate.Server.Audit;

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
            // Routing decodes a segment except %2F, which a SPIFFE ID's slashes need; decoding everything again would
            // turn %25xx sequences into other characters.
            var identity = id.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
            if (!SpiffeId.TryParse(identity, out _, out var error))
            {
                var shown = identity.Length > 128 ? identity[..128] + "…" : identity;
                return Problem.BadRequest($"'{shown}' is not a SPIFFE ID: {error}. Percent-encode its slashes, e.g. spiffe:%2F%2Fexample.org%2Fsvc.", ProblemTypes.InvalidSpiffeId);
            }

            await using var session = await store.BeginAsync(StoreIntent.Read, cancellationToken);
            var timeline = await AuditTimelineBuilder.BuildAsync(session, identity, cancellationToken);
            return TypedResults.Ok(timeline);
        }).RequireOperatorRole(OperatorRole.Auditor);
        return app;
    }
}
