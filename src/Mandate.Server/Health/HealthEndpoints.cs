using Mandate.Core.Storage;

namespace Mandate.Server.Health;

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "up" })).AllowAnonymous();
        app.MapGet("/readyz", async (IMandateStore store, ReadinessChecks checks, CancellationToken cancellationToken) =>
        {
            var status = await store.CheckAsync(cancellationToken);
            var problems = new List<string>();
            if (!status.Ready)
            {
                problems.Add("store: " + (status.Problem ?? "not ready"));
            }

            problems.AddRange(checks.Problems());
            var body = new
            {
                status = problems.Count == 0 ? "ready" : "not-ready",
                store = new { kind = store.Kind, ready = status.Ready, schema_version = status.AppliedVersion, expected_version = status.ExpectedVersion },
                problems,
            };
            return problems.Count == 0
                ? Results.Ok(body)
                : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();
        return app;
    }
}
