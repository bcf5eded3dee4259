using Mandate.Core.Storage;
using Mandate.Server.Authentication;
using Microsoft.AspNetCore.Authentication;

namespace Mandate.Server.Health;

/// <summary>
/// <c>/healthz</c> (up) and <c>/readyz</c> (ready: store reachable and migrated, policies loaded, audit chain intact).
/// Anyone may ask whether the server is ready (200 or 503 with <c>status</c>); the details — store kind and schema
/// versions, the problems (policy file names and parse errors, audit positions) — only a caller with the admin token sees.
/// </summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "up" })).AllowAnonymous();
        app.MapGet("/readyz", async (HttpContext http, IMandateStore store, ReadinessChecks checks, CancellationToken cancellationToken) =>
        {
            var status = await store.CheckAsync(cancellationToken);
            var problems = new List<string>();
            if (!status.Ready)
            {
                problems.Add("store: " + (status.Problem ?? "not ready"));
            }

            problems.AddRange(checks.Problems());
            var ready = problems.Count == 0 ? "ready" : "not-ready";
            var code = problems.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            if (!await IsAdminAsync(http))
            {
                return Results.Json(new { status = ready }, statusCode: code);
            }

            var body = new
            {
                status = ready,
                store = new { kind = store.Kind, ready = status.Ready, schema_version = status.AppliedVersion, expected_version = status.ExpectedVersion },
                problems,
            };
            return Results.Json(body, statusCode: code);
        }).AllowAnonymous();
        return app;
    }

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
