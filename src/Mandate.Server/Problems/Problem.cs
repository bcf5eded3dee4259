using Microsoft.AspNetCore.Mvc;

namespace Mandate.Server.Problems;

/// <summary>
/// Builds RFC 9457 problem details with a stable <c>type</c> and the request's trace id. The title is the problem
/// type's own (<see cref="ProblemTypes"/>): callers say what happened in the detail, never in the title.
/// </summary>
internal static class Problem
{
    public static IResult Result(int status, ProblemType type, string? detail = null, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(Create(status, type, detail, extensions));

    public static ProblemDetails Create(int status, ProblemType type, string? detail = null, IDictionary<string, object?>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        var problem = new ProblemDetails
        {
            Status = status,
            Type = type.Uri,
            Title = type.Title,
            Detail = detail,
        };
        problem.Extensions["code"] = type.Code;
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }

        return problem;
    }

    /// <summary>400 with <paramref name="type"/> (default <c>invalid-request</c>).</summary>
    public static IResult BadRequest(string detail, ProblemType? type = null) =>
        Result(StatusCodes.Status400BadRequest, type ?? ProblemTypes.InvalidRequest, detail);

    public static IResult NotFound(string detail) =>
        Result(StatusCodes.Status404NotFound, ProblemTypes.NotFound, detail);

    public static IResult Conflict(string detail) =>
        Result(StatusCodes.Status409Conflict, ProblemTypes.Conflict, detail);

    /// <summary>Writes a problem directly (for middleware and authentication handlers).</summary>
    public static async Task WriteAsync(HttpContext context, int status, ProblemType type, string? detail = null, IDictionary<string, object?>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = Create(status, type, detail, extensions);
        var writer = context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        context.Response.StatusCode = status;
        if (writer is null || !await writer.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            await context.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json");
        }
    }

    /// <summary>
    /// Completes every problem the framework writes itself (routing 404 and 405, status code pages, 401/403 without a
    /// handler's own answer): a Mandate type for its status, that type's title, and always the request id.
    /// </summary>
    public static void Customize(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = context.ProblemDetails;
        problem.Extensions["request_id"] = context.HttpContext.TraceIdentifier;
        if (problem.Type is null || problem.Type.StartsWith("https://tools.ietf.org", StringComparison.Ordinal))
        {
            var type = problem.Status switch
            {
                StatusCodes.Status404NotFound => ProblemTypes.NotFound,
                StatusCodes.Status405MethodNotAllowed => ProblemTypes.MethodNotAllowed,
                StatusCodes.Status415UnsupportedMediaType => ProblemTypes.UnsupportedMediaType,
                StatusCodes.Status401Unauthorized => ProblemTypes.Unauthenticated,
                StatusCodes.Status403Forbidden => ProblemTypes.Forbidden,
                StatusCodes.Status413PayloadTooLarge => ProblemTypes.PayloadTooLarge,
                StatusCodes.Status429TooManyRequests => ProblemTypes.RateLimited,
                >= 500 => ProblemTypes.Internal,
                _ => ProblemTypes.InvalidRequest,
            };
            problem.Type = type.Uri;
            problem.Title = type.Title;
            problem.Extensions["code"] = type.Code;
        }
    }
}
