using Microsoft.AspNetCore.Mvc;

namespace Mandate.Server.Problems;

/// <summary>Builds RFC 9457 problem details with a stable <c>type</c> and the request's trace id.</summary>
internal static class Problem
{
    public static IResult Result(int status, string code, string title, string? detail = null, IDictionary<string, object?>? extensions = null)
    {
        var problem = Create(status, code, title, detail, extensions);
        return TypedResults.Problem(problem);
    }

    public static ProblemDetails Create(int status, string code, string title, string? detail = null, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Type = ProblemTypes.Uri(code),
            Title = title,
            Detail = detail,
        };
        problem.Extensions["code"] = code;
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }

        return problem;
    }

    public static IResult BadRequest(string detail, string code = ProblemTypes.InvalidRequest) =>
        Result(StatusCodes.Status400BadRequest, code, "The request is not valid.", detail);

    public static IResult NotFound(string detail) =>
        Result(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found.", detail);

    public static IResult Conflict(string detail) =>
        Result(StatusCodes.Status409Conflict, ProblemTypes.Conflict, "Conflict.", detail);

    /// <summary>Writes a problem directly (for middleware and authentication handlers).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string code, string title, string? detail = null, IDictionary<string, object?>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = Create(status, code, title, detail, extensions);
        var writer = context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        context.Response.StatusCode = status;
        if (writer is null || !await writer.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            await context.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json");
        }
    }
}
