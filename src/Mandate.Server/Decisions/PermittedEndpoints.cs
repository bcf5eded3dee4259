using Mandate.Core.Decisions;
using Mandate.Protocol.AuthZen;
using Mandate.Server.Authentication;
using Mandate.Server.Hosting;
using Mandate.Server.Http;
using Mandate.Server.Problems;

namespace Mandate.Server.Decisions;

/// <summary>
/// <c>POST /v1/decisions/permitted</c>: what the holder of a presented credential could do now, for an enforcement point
/// that lists only what its caller may use (the MCP gateway filtering <c>tools/list</c>) and that must refuse a dead
/// credential before serving anything (<c>initialize</c>). The body is an AuthZEN batch (<c>subject</c>,
/// <c>context.credential</c> and <c>context.credential_proof</c>, items of <c>action</c> and <c>resource</c>); the answer
/// is the verdict on the credential and one boolean per item. The items are decided like evaluations but not audited
/// (nothing was attempted); the credential's use is recorded and a dead credential's reuse raises detection as at
/// <c>/access/v1/evaluation</c>. Only authenticated enforcement points may ask: the answer tells a credential's status.
/// </summary>
internal static class PermittedEndpoints
{
    public const string Path = "/v1/decisions/permitted";

    public static IEndpointRouteBuilder MapPermittedEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, PermittedAsync).AllowAnonymous().RequireFreshState();
        return app;
    }

    private static async Task<IResult> PermittedAsync(HttpContext http, AuthZenDecisionService service, AuthenticationFailureAudit failures)
    {
        var (call, refused) = await PepAuthentication.AuthenticateAsync(http, service.Options, failures);
        if (refused is not null)
        {
            return refused;
        }

        if (call!.Caller is null)
        {
            // Anonymous enforcement points see decisions only; this answer is a credential's status.
            http.Response.Headers.WWWAuthenticate = BearerChallenge.Unauthorized(http, "mandate-pep");
            return Problem.Result(
                StatusCodes.Status401Unauthorized,
                ProblemTypes.Unauthenticated,
                "Asking what a credential permits needs an enforcement point credential as 'Authorization: Bearer <token>' (a PEP credential, a Mandate JWT-SVID or the admin token).");
        }

        var (request, problem) = await JsonBody.ReadAsync(http, AuthZenJsonContext.Default.EvaluationsRequest, service.Options.MaxRequestBodyBytes, JsonBodyProblems.AuthZen);
        if (problem is not null)
        {
            return problem;
        }

        PermittedResult result;
        try
        {
            result = await service.PermittedAsync(request!, call, http.RequestAborted);
        }
        catch (AuthZenRequestException e)
        {
            return Problem.Result(StatusCodes.Status400BadRequest, ProblemTypes.Of(e.Code), e.Message);
        }

        var credential = result.Credential;
        return TypedResults.Json(
            new PermittedResponse
            {
                Credential = new PermittedCredential
                {
                    Valid = credential.Valid,
                    Reason = credential.Error,
                    ReasonUser = credential.Description,
                    TaskId = credential.Valid ? credential.TaskId : null,
                    Chain = credential.Valid ? credential.Chain : null,
                },
                Permitted = result.Permitted,
            },
            PermittedJsonContext.Default.PermittedResponse);
    }
}
