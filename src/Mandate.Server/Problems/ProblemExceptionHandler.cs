using Mandate.Core.Storage;
using Microsoft.AspNetCore.Diagnostics;

namespace Mandate.Server.Problems;

/// <summary>Turns every exception into problem details: never a stack trace, never a 500 for the caller's mistake.</summary>
internal sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                await Problem.WriteAsync(httpContext, StatusCodes.Status413PayloadTooLarge, ProblemTypes.PayloadTooLarge);
                return true;
            case BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType }:
                await Problem.WriteAsync(httpContext, StatusCodes.Status415UnsupportedMediaType, ProblemTypes.UnsupportedMediaType, "Send the body as application/json.");
                return true;
            case BadHttpRequestException bad when bad.InnerException is System.Text.Json.JsonException json:
                await Problem.WriteAsync(httpContext, StatusCodes.Status400BadRequest, ProblemTypes.MalformedJson, JsonErrorDetail.Describe(json));
                return true;
            case BadHttpRequestException bad:
                await Problem.WriteAsync(httpContext, bad.StatusCode, ProblemTypes.InvalidRequest, bad.Message);
                return true;
            case StoreException store:
                // The operator's message (file paths, database errors) goes to the log; the caller learns only that it
                // may retry: nothing was acknowledged, and the transaction was rolled back.
                Log.StoreUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, store.Fault.ToString(), store.Message);
                httpContext.Response.Headers.RetryAfter = "1";
                await Problem.WriteAsync(
                    httpContext,
                    StatusCodes.Status503ServiceUnavailable,
                    ProblemTypes.StoreUnavailable,
                    $"The request was not completed; retry later. Quote request id {httpContext.TraceIdentifier} to the operator.");
                return true;
            case Core.Decisions.AuditUnavailableException:
                // Never an unaudited answer: the decision was not given, and the caller may retry.
                Log.AuditUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path);
                httpContext.Response.Headers.RetryAfter = "1";
                await Problem.WriteAsync(
                    httpContext,
                    StatusCodes.Status503ServiceUnavailable,
                    ProblemTypes.AuditUnavailable,
                    "The audit ledger did not take the decision's record in time, so no decision was given; retry later.");
                return true;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                return true;
            default:
                Log.Unhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
                await Problem.WriteAsync(httpContext, StatusCodes.Status500InternalServerError, ProblemTypes.Internal, $"Quote request id {httpContext.TraceIdentifier} when reporting it.");
                return true;
        }
    }
}
