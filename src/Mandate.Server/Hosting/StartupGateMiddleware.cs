using Mandate.Server.Problems;

namespace Mandate.Server.Hosting;

/// <summary>
/// Until start-up has finished: <c>/healthz</c> answers (the process is alive), <c>/readyz</c> answers 503
/// <c>{"status":"starting","step":…}</c>, and every other request 503 <c>starting</c> with <c>Retry-After</c>,
/// before authentication (whose keys and tokens may not be loaded yet). Once ready it only passes requests on.
/// </summary>
internal sealed class StartupGateMiddleware(RequestDelegate next, StartupGate gate)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (gate.IsReady || context.Request.Path.Equals("/healthz", StringComparison.Ordinal))
        {
            return next(context);
        }

        return RefuseAsync(context);
    }

    private async Task RefuseAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "1";
        if (context.Request.Path.Equals("/readyz", StringComparison.Ordinal))
        {
            await Results.Json(new { status = "starting", step = gate.Step }, statusCode: StatusCodes.Status503ServiceUnavailable)
                .ExecuteAsync(context);
            return;
        }

        await Problem.WriteAsync(
            context,
            StatusCodes.Status503ServiceUnavailable,
            ProblemTypes.Starting,
            $"The server is starting ({gate.Step}); retry shortly.");
    }
}
