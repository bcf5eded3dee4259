using System.Text.Json.Serialization.Metadata;
using Mandate.Core.Decisions;
using Mandate.Protocol.AuthZen;
using Mandate.Server.Authentication;
using Mandate.Server.Hosting;
using Mandate.Server.Http;
using Mandate.Server.Policies;
using Mandate.Server.Problems;

namespace Mandate.Server.Decisions;

/// <summary>
/// OpenID AuthZEN 1.0: evaluation, batch evaluations, subject/resource/action search and the PDP metadata. Enforcement
/// points authenticate (<see cref="PepAuthentication"/>); authenticated ones see deny reasons, a caller presenting the
/// admin token also sees policy reasons and errors. Every call is rate limited (<see cref="DecisionRateLimits"/>): an
/// authenticated caller by its own budget, anyone else by its client network's.
/// </summary>
internal static class AuthZenEndpoints
{
    public static IEndpointRouteBuilder MapAuthZenEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(string.Empty).AllowAnonymous();

        group.MapPost(AuthZenPaths.Evaluation, (RequestDelegate)EvaluateAsync);

        group.MapPost(AuthZenPaths.Evaluations, (HttpContext http, AuthZenDecisionService service, AuthenticationFailureAudit failures) =>
            HandleAsync(http, service, failures, AuthZenJsonContext.Default.EvaluationsRequest, static async (http, service, request, call) =>
            {
                // Without items the batch endpoint is the single evaluation endpoint.
                if (request.Evaluations is not { Count: > 0 })
                {
                    return AuthZenResults.Decision(await service.EvaluateAsync(request, call, http.RequestAborted), call);
                }

                return AuthZenResults.Batch(await service.EvaluateBatchAsync(request, call, http.RequestAborted), call);
            }));

        group.MapPost(AuthZenPaths.SearchSubject, (HttpContext http, AuthZenDecisionService service, AuthenticationFailureAudit failures) =>
            SearchAsync(http, service, failures, static async (http, service, request, call) =>
            {
                var result = await service.SearchSubjectsAsync(request, call, http.RequestAborted);
                return TypedResults.Json(new EntitySearchResponse { Page = result.Page, Results = [.. result.Results] }, AuthZenJsonContext.Default.EntitySearchResponse);
            }));

        group.MapPost(AuthZenPaths.SearchResource, (HttpContext http, AuthZenDecisionService service, AuthenticationFailureAudit failures) =>
            SearchAsync(http, service, failures, static async (http, service, request, call) =>
            {
                var result = await service.SearchResourcesAsync(request, call, http.RequestAborted);
                return TypedResults.Json(new EntitySearchResponse { Page = result.Page, Results = [.. result.Results] }, AuthZenJsonContext.Default.EntitySearchResponse);
            }));

        group.MapPost(AuthZenPaths.SearchAction, (HttpContext http, AuthZenDecisionService service, AuthenticationFailureAudit failures) =>
            SearchAsync(http, service, failures, static async (http, service, request, call) =>
            {
                var result = await service.SearchActionsAsync(request, call, http.RequestAborted);
                return TypedResults.Json(new ActionSearchResponse { Page = result.Page, Results = [.. result.Results] }, AuthZenJsonContext.Default.ActionSearchResponse);
            }));

        group.MapGet(AuthZenPaths.Metadata, async (HttpContext http, PublicBaseUrl publicUrl, DecisionRateLimits limits) =>
        {
            // Metadata needs no credential, so every caller counts against its network's budget.
            if (await limits.AdmitUnauthenticatedAsync(http) is { } flooded)
            {
                return Echo(http, flooded);
            }

            // The configured public URL, never the Host header: metadata must not point a client at an attacker's host.
            var baseUrl = publicUrl.Value();
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

    private static Task<IResult> SearchAsync(
        HttpContext http, AuthZenDecisionService service, AuthenticationFailureAudit failures, Func<HttpContext, AuthZenDecisionService, SearchRequest, AuthZenCall, Task<IResult>> search) =>
        HandleAsync(http, service, failures, AuthZenJsonContext.Default.SearchRequest, search, stampPolicyVersion: true);

    /// <summary>
    /// The single evaluation, the hot path: one async frame from the request to the answer. An audited allow waits for
    /// its record's commit, and every frame between the request and that wait (a handler, a lambda, the request delegate
    /// factory's result wrapper) would be an object per decision.
    /// </summary>
    private static async Task EvaluateAsync(HttpContext http)
    {
        var service = http.RequestServices.GetRequiredService<AuthZenDecisionService>();
        var failures = http.RequestServices.GetRequiredService<AuthenticationFailureAudit>();
        var (request, call, refusal) = await AdmitAsync(http, service, failures, AuthZenJsonContext.Default.EvaluationRequest);
        IResult answer;
        if (refusal is not null)
        {
            answer = refusal;
        }
        else
        {
            try
            {
                answer = AuthZenResults.Decision(await service.EvaluateAsync(request!, call!, http.RequestAborted), call!);
            }
            catch (AuthZenRequestException e)
            {
                answer = BadRequest(e);
            }
        }

        await answer.ExecuteAsync(http);
    }

    /// <summary>Reads the AuthZEN request body, then answers it; a body or request the service refuses is a problem (400, 413).</summary>
    /// <remarks>The answer gets the context and the service as arguments: a static lambda is one cached delegate, not a closure per call.</remarks>
    private static async Task<IResult> HandleAsync<TRequest>(
        HttpContext http,
        AuthZenDecisionService service,
        AuthenticationFailureAudit failures,
        JsonTypeInfo<TRequest> body,
        Func<HttpContext, AuthZenDecisionService, TRequest, AuthZenCall, Task<IResult>> answer,
        bool stampPolicyVersion = false)
        where TRequest : class
    {
        var (request, call, refusal) = await AdmitAsync(http, service, failures, body);
        if (refusal is not null)
        {
            return refusal;
        }

        try
        {
            if (stampPolicyVersion)
            {
                http.Response.Headers[AuthZenPaths.PolicyVersionHeader] = service.PolicyVersion;
            }

            return await answer(http, service, request!, call!);
        }
        catch (AuthZenRequestException e)
        {
            return BadRequest(e);
        }
    }

    /// <summary>
    /// The authenticated caller and its parsed request, or the answer to give instead (a stale node's refusal, 401, 429,
    /// a body problem). Completes synchronously when the credential checks and the body has arrived, allocating no frame.
    /// </summary>
    private static async ValueTask<(TRequest? Request, AuthZenCall? Call, IResult? Refusal)> AdmitAsync<TRequest>(
        HttpContext http,
        AuthZenDecisionService service,
        AuthenticationFailureAudit failures,
        JsonTypeInfo<TRequest> body)
        where TRequest : class
    {
        // What RequireFreshState does for other endpoints, first thing, without an endpoint filter's allocations on the
        // hot path: a node that cannot vouch for its views of a shared store decides nothing.
        if (FreshStateFilter.Refusal(http) is { } stale)
        {
            return (null, null, stale);
        }

        // Authenticate before reading the body: a refused caller costs no parsing.
        var (call, refused) = await PepAuthentication.AuthenticateAsync(http, service.Options, failures);
        if (refused is not null)
        {
            return (null, null, Echo(http, refused));
        }

        var (request, problem) = await JsonBody.ReadAsync(http, body, service.Options.MaxRequestBodyBytes, JsonBodyProblems.AuthZen);
        if (problem is not null)
        {
            return (null, null, Echo(http, problem));
        }

        EchoRequestId(http);

        // Read before deciding: a revocation that lands while this call is decided makes its answer stale for caches.
        http.Response.Headers[AuthZenPaths.CredentialEpochHeader] = service.CredentialEpoch;
        return (request, call, null);
    }

    private static IResult BadRequest(AuthZenRequestException e) =>
        Problem.Result(StatusCodes.Status400BadRequest, ProblemTypes.Of(e.Code), e.Message);

    /// <summary>
    /// Echoes the caller's X-Request-ID (also on answers given before the call is known, such as bad bodies) when it is
    /// within <see cref="PepAuthentication.MaxRequestIdLength"/>; a longer or malformed one is not copied anywhere.
    /// </summary>
    private static IResult Echo(HttpContext http, IResult result)
    {
        EchoRequestId(http);
        return result;
    }

    private static void EchoRequestId(HttpContext http)
    {
        if (http.Request.Headers[AuthZenPaths.RequestIdHeader].Count > 0)
        {
            http.Response.Headers[AuthZenPaths.RequestIdHeader] = PepAuthentication.RequestId(http);
        }
    }
}
