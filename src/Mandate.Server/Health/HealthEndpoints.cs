using Mandate.Core.Hosting;
using Mandate.Core.Storage;
using Mandate.Server.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Health;

/// <summary>
/// <c>/healthz</c> (up) and <c>/readyz</c>: <c>ready</c> (200), <c>degraded</c> (200: serving, but a background loop is
/// retrying after a failure, or no policies are loaded) or <c>not-ready</c> (503: store unreachable or not migrated,
/// policies rejected, audit chain broken, a background loop failing longer than
/// <see cref="HealthOptions.BackgroundUnhealthyAfter"/>). Anyone may ask for the status; the details — store kind and
/// schema versions, each background loop's state with its last error kind and since when, the problems and warnings
/// (policy file names and parse errors, audit positions) — only a caller with the admin token sees.
/// </summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "up" })).AllowAnonymous();
        app.MapGet("/readyz", async (
            HttpContext http,
            IMandateStore store,
            ReadinessChecks checks,
            BackgroundHealth background,
            ClusterLeadership leadership,
            StoreFreshness freshness,
            IOptions<HealthOptions> options,
            TimeProvider time,
            CancellationToken cancellationToken) =>
        {
            var status = await store.CheckAsync(cancellationToken);
            var problems = new List<string>();
            if (!status.Ready)
            {
                problems.Add("store: " + (status.Problem ?? "not ready"));
            }

            // A node that cannot vouch for its views of a shared store refuses decisions (StaleStateGuard): not ready.
            var stale = freshness.StaleChannels();
            if (stale.Count > 0)
            {
                problems.Add($"cluster: not confirmed to follow the store within {freshness.Bound.TotalSeconds:0.###} s ({string.Join(", ", stale)}); decisions are refused until it is");
            }

            problems.AddRange(checks.Problems());
            var warnings = checks.Warnings().ToList();
            var now = time.GetUtcNow();
            var loops = new List<object>();
            foreach (var loop in background.Snapshot())
            {
                var state = StateOf(loop, now, options.Value.BackgroundUnhealthyAfter);
                if (state == "unhealthy")
                {
                    problems.Add($"{loop.Loop}: failing since {loop.FailingSince:O} ({loop.LastErrorKind})");
                }
                else if (state == "degraded")
                {
                    warnings.Add($"{loop.Loop}: retrying since {loop.FailingSince:O} ({loop.LastErrorKind})");
                }

                loops.Add(new
                {
                    name = loop.Loop,
                    state,
                    failing_since = loop.FailingSince,
                    failures = loop.Failures,
                    last_error = loop.LastErrorKind,
                });
            }

            var ready = problems.Count > 0 ? "not-ready" : warnings.Count > 0 ? "degraded" : "ready";
            var code = problems.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            if (!await IsAdminAsync(http))
            {
                return Results.Json(new { status = ready }, statusCode: code);
            }

            var body = new
            {
                status = ready,
                store = new { kind = store.Kind, ready = status.Ready, schema_version = status.AppliedVersion, expected_version = status.ExpectedVersion },
                background = loops,
                cluster = new
                {
                    node = leadership.NodeId,
                    leader = leadership.IsLeader,
                    leader_since = leadership.LeaderSince,
                    leader_jobs = leadership.LastRuns.OrderBy(j => j.Key, StringComparer.Ordinal).Select(j => new { name = j.Key, last_run = j.Value }).ToList(),
                    fresh = stale.Count == 0,
                    stale_views = stale,
                    freshness_bound_seconds = freshness.Bound.TotalSeconds,
                },
                problems,
                warnings,
            };
            return Results.Json(body, statusCode: code);
        }).AllowAnonymous();
        return app;
    }

    private static string StateOf(BackgroundLoopState loop, DateTimeOffset now, TimeSpan unhealthyAfter) => loop.FailingSince switch
    {
        null => "running",
        { } since when now - since >= unhealthyAfter => "unhealthy",
        _ => "degraded",
    };

    private static async Task<bool> IsAdminAsync(HttpContext http)
    {
        if (http.Request.Headers.Authorization.Count == 0)
        {
            return false;
        }

        var result = await http.AuthenticateAsync(AdminAuthenticationHandler.SchemeName);
        return result.Succeeded && result.Principal.IsInRole(AdminAuthenticationHandler.Role);
    }
}
