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
        builder.AddEndpointFilter((context, next) => Refusal(context.HttpContext) is { } refused ? ValueTask.FromResult<object?>(refused) : next(context));

    /// <summary>
    /// The 503 to answer when this node cannot vouch for its views, else null; costs no allocation while they are fresh.
    /// For endpoints that check it themselves, first thing, instead of through a filter (the decision endpoints).
    /// </summary>
    public static IResult? Refusal(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var freshness = http.RequestServices.GetRequiredService<StoreFreshness>();
        if (freshness.IsFresh())
        {
            return null;
        }

        var stale = freshness.StaleChannels();
        if (stale.Count == 0)
        {
            // Confirmed between the two reads.
            return null;
        }

        http.Response.Headers.RetryAfter = "1";
        return Problem.Result(
            StatusCodes.Status503ServiceUnavailable,
            ProblemTypes.StateStale,
            $"This node has not confirmed within {freshness.Bound.TotalSeconds:0.###} s that its view of the store is current ({string.Join(", ", stale)}): its connection to the store is lost or lagging. Nothing was decided; retry, or ask another node.");
    }
}
