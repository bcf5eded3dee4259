using Mandate.Core.Storage;
using Mandate.Server.Problems;

namespace Mandate.Server.Hosting;

/// <summary>
/// Refuses a request whose answer depends on this node's in-memory views of a shared store (revocations, policies,
/// identity statuses, keys, risk) while the node cannot vouch that they follow the store (<see cref="StoreFreshness"/>):
/// 503 <c>state-stale</c> with <c>Retry-After: 1</c>, never an answer that may ignore a revocation or a policy change
/// made on another node. A PEP fails closed on it, or asks another node; nothing is decided or audited.
/// </summary>
internal static class FreshStateFilter
{
    public static TBuilder RequireFreshState<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var freshness = context.HttpContext.RequestServices.GetRequiredService<StoreFreshness>();
            var stale = freshness.StaleChannels();
            if (stale.Count == 0)
            {
                return await next(context);
            }

            context.HttpContext.Response.Headers.RetryAfter = "1";
            return Problem.Result(
                StatusCodes.Status503ServiceUnavailable,
                ProblemTypes.StateStale,
                $"This node has not confirmed within {freshness.Bound.TotalSeconds:0.###} s that its view of the store is current ({string.Join(", ", stale)}): its connection to the store is lost or lagging. Nothing was decided; retry, or ask another node.");
        });
}
