using System.Text.Json.Serialization.Metadata;
using Mandate.Core.Decisions;
using Mandate.Protocol.AuthZen;
using Mandate.Server.Authentication;
using Mandate.Server.Http;
using Mandate.Server.Policies;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.Authentication;

namespace Mandate.Server.Decisions;

/// <summary>
/// OpenID AuthZEN 1.0: evaluation, batch evaluations, subject/resource/action search and the PDP metadata. Enforcement
/// points call these anonymously; a caller presenting the admin token also sees reasons and errors.
/// </summary>
internal static class AuthZenEndpoints
{
    public static IEndpointRouteBuilder MapAuthZenEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(string.Empty).AllowAnonymous();

        group.MapPost(AuthZenPaths.Evaluation, (HttpContext http, AuthZenDecisionService service) =>
            HandleAsync(http, service, AuthZenJsonContext.Default.EvaluationRequest, async (request, call) =>
                AuthZenResults.Decision(await service.EvaluateAsync(request, call, http.RequestAborted), call.IncludeDiagnostics)));

        group.MapPost(AuthZenPaths.Evaluations, (HttpContext http, AuthZenDecisionService service) =>
            HandleAsync(http, service, AuthZenJsonContext.Default.EvaluationsRequest, async (request, call) =>
            {
                // Without items the batch endpoint is the single evaluation endpoint.
                if (request.Evaluations is not { Count: > 0 })
                {
                    return AuthZenResults.Decision(await service.EvaluateAsync(request, call, http.RequestAborted), call.IncludeDiagnostics);
                }

                return AuthZenResults.Batch(await service.EvaluateBatchAsync(request, call, http.RequestAborted), call.IncludeDiagnostics);
            }));

        group.MapPost(AuthZenPaths.SearchSubject, (HttpContext http, AuthZenDecisionService service) =>
            SearchAsync(http, service, async (request, call) =>
            {
                var result = await service.SearchSubjectsAsync(request, call, http.RequestAborted);
                return TypedResults.Json(new EntitySearchResponse { Page = result.Page, Results = [.. result.Results] }, AuthZenJsonContext.Default.EntitySearchResponse);
            }));

        group.MapPost(AuthZenPaths.SearchResource, (HttpContext http, AuthZenDecisionService service) =>
            SearchAsync(http, service, async (request, call) =>
            {
                var result = await service.SearchResourcesAsync(request, call, http.RequestAborted);
                return TypedResults.Json(new EntitySearchResponse { Page = result.Page, Results = [.. result.Results] }, AuthZenJsonContext.Default.EntitySearchResponse);
            }));

        group.MapPost(AuthZenPaths.SearchAction, (HttpContext http, AuthZenDecisionService service) =>
            SearchAsync(http, service, async (request, call) =>
            {
                var result = await service.SearchActionsAsync(request, call, http.RequestAborted);
                return TypedResults.Json(new ActionSearchResponse { Page = result.Page, Results = [.. result.Results] }, AuthZenJsonContext.Default.ActionSearchResponse);
            }));

        group.MapGet(AuthZenPaths.Metadata, (HttpContext http) =>
        {
            var request = http.Request;
            var baseUrl = $"{request.Scheme}://{request.Host}{request.PathBase}";
            http.Response.Headers.CacheControl = "public, max-age=300";
            return Echo(http, TypedResults.Json(
                new AuthZenMetadata
                {
                    PolicyDecisionPoint = baseUrl,
                    AccessEvaluationEndpoint = baseUrl + AuthZenPaths.Evaluation,
                    AccessEvaluationsEndpoint = baseUrl + AuthZenPaths.Evaluations,
                    SearchSubjectEndpoint = baseUrl + AuthZenPaths.SearchSubject,
                    SearchResourceEndpoint = baseUrl + AuthZenPaths.SearchResource,
                    SearchActionEndpoint = baseUrl + AuthZenPaths.SearchAction,
                },
                AuthZenJsonContext.Default.AuthZenMetadata));
        });

        // The admin side of the decision point (policy versions) is registered with it.
        app.MapPolicyEndpoints();
        return app;
    }

    private static Task<IResult> SearchAsync(HttpContext http, AuthZenDecisionService service, Func<SearchRequest, AuthZenCall, Task<IResult>> search) =>
        HandleAsync(http, service, AuthZenJsonContext.Default.SearchRequest, (request, call) =>
        {
            http.Response.Headers[AuthZenPaths.PolicyVersionHeader] = service.PolicyVersion;
            return search(request, call);
        });

    /// <summary>Reads the AuthZEN request body, then answers it; a body or request the service refuses is a problem (400, 413).</summary>
    private static async Task<IResult> HandleAsync<TRequest>(
        HttpContext http, AuthZenDecisionService service, JsonTypeInfo<TRequest> body, Func<TRequest, AuthZenCall, Task<IResult>> answer)
        where TRequest : class
    {
        var (request, problem) = await JsonBody.ReadAsync(http, body, service.Options.MaxRequestBodyBytes, JsonBodyProblems.AuthZen);
        if (problem is not null)
        {
            return Echo(http, problem);
        }

        var call = await CallOfAsync(http);
        try
        {
            return await answer(request!, call);
        }
        catch (AuthZenRequestException e)
        {
            return BadRequest(e);
        }
    }

    private static IResult BadRequest(AuthZenRequestException e) =>
        Problem.Result(StatusCodes.Status400BadRequest, e.Code, "The AuthZEN request is not valid.", e.Message);

    /// <summary>The request id to echo and audit, and whether the caller presented the admin token (then it sees reasons).</summary>
    private static async ValueTask<AuthZenCall> CallOfAsync(HttpContext http)
    {
        var requestId = http.Request.Headers[AuthZenPaths.RequestIdHeader].ToString();
        if (requestId.Length > 0)
        {
            http.Response.Headers[AuthZenPaths.RequestIdHeader] = requestId;
        }

        var diagnostics = false;
        if (http.Request.Headers.Authorization.Count > 0)
        {
            var result = await http.AuthenticateAsync(AdminAuthenticationHandler.SchemeName);
            diagnostics = result.Succeeded && result.Principal.IsInRole(AdminAuthenticationHandler.Role);
        }

        return new AuthZenCall(requestId.Length == 0 ? http.TraceIdentifier : requestId, diagnostics, diagnostics ? "admin" : null);
    }

    /// <summary>Echoes X-Request-ID also on answers given before the call is known (bad bodies).</summary>
    private static IResult Echo(HttpContext http, IResult result)
    {
        var requestId = http.Request.Headers[AuthZenPaths.RequestIdHeader];
        if (requestId.Count > 0)
        {
            http.Response.Headers[AuthZenPaths.RequestIdHeader] = requestId;
        }

        return result;
    }
}
