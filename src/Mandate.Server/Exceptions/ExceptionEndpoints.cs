using Mandate.Core.Exceptions;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Http;
using Mandate.Server.Operators;
using Mandate.Server.Problems;

namespace Mandate.Server.Exceptions;

/// <summary>
/// Exceptions and break-glass (docs/exceptions.md). <c>POST /v1/exceptions</c> (security) requests one;
/// <c>POST /v1/exceptions/{id}/approve</c> and <c>/deny</c> (approver; never the requester's approval) decide it;
/// <c>POST /v1/exceptions/{id}/revoke</c> (security or approver) ends an active grant; <c>GET /v1/exceptions</c> and
/// <c>GET /v1/exceptions/{id}</c> (auditor and up) read them. <c>POST /v1/breakglass</c> (security) activates a
/// break-glass grant at once.
/// </summary>
internal static class ExceptionEndpoints
{
    public const int MaxListed = 1000;

    public static IEndpointRouteBuilder MapExceptionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/exceptions").RequireOperatorRole(OperatorRole.Auditor);
        group.MapPost("/", RequestAsync).RequireOperatorRole(OperatorRole.Security);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPost("/{id}/approve", ApproveAsync).RequireOperatorRole(OperatorRole.Approver);
        group.MapPost("/{id}/deny", DenyAsync).RequireOperatorRole(OperatorRole.Approver);
        group.MapPost("/{id}/revoke", RevokeAsync);
        app.MapPost("/v1/breakglass", BreakGlassAsync).RequireOperatorRole(OperatorRole.Security);
        return app;
    }

    private static async Task<IResult> RequestAsync(HttpContext context, ExceptionService exceptions, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<GrantRequestBody>(context, BodyLimits.Request, JsonBodyProblems.Framework);
        if (problem is not null)
        {
            return problem;
        }

        var (grant, error) = await exceptions.RequestAsync(ToRequest(body!), context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return error is not null ? await ResultAsync(context, error) : Created(context, grant!);
    }

    private static async Task<IResult> BreakGlassAsync(HttpContext context, ExceptionService exceptions, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<GrantRequestBody>(context, BodyLimits.Request, JsonBodyProblems.Framework);
        if (problem is not null)
        {
            return problem;
        }

        var (grant, error) = await exceptions.BreakGlassAsync(ToRequest(body!), context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return error is not null ? await ResultAsync(context, error) : Created(context, grant!);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ExceptionService exceptions, CancellationToken cancellationToken)
    {
        var status = context.Request.Query["status"].ToString();
        var identity = context.Request.Query["identity"].ToString();
        if (status.Length > 0 && !GrantStatuses.All.Contains(status, StringComparer.Ordinal))
        {
            return Problem.Result(StatusCodes.Status400BadRequest, ProblemTypes.ExceptionInvalid, $"status: one of {string.Join(", ", GrantStatuses.All)}.");
        }

        var list = await exceptions.ListAsync(status.Length > 0 ? status : null, identity.Length > 0 ? identity : null, MaxListed, cancellationToken);
        return TypedResults.Ok(new GrantListView([.. list.Select(GrantView.From)]));
    }

    private static async Task<IResult> GetAsync(string id, ExceptionService exceptions, CancellationToken cancellationToken)
    {
        var grant = await exceptions.GetAsync(id, cancellationToken);
        return grant is null
            ? Problem.Result(StatusCodes.Status404NotFound, ProblemTypes.ExceptionNotFound, $"No exception or break-glass grant {id}.")
            : TypedResults.Ok(GrantView.From(grant));
    }

    private static async Task<IResult> ApproveAsync(string id, HttpContext context, ExceptionService exceptions, CancellationToken cancellationToken)
    {
        var (grant, error) = await exceptions.ApproveAsync(id, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return error is not null ? await ResultAsync(context, error) : TypedResults.Ok(GrantView.From(grant!));
    }

    private static async Task<IResult> DenyAsync(string id, HttpContext context, ExceptionService exceptions, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<GrantReasonBody>(context, BodyLimits.Request, JsonBodyProblems.Framework);
        if (problem is not null)
        {
            return problem;
        }

        var (grant, error) = await exceptions.DenyAsync(id, body!.Reason, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return error is not null ? await ResultAsync(context, error) : TypedResults.Ok(GrantView.From(grant!));
    }

    private static async Task<IResult> RevokeAsync(string id, HttpContext context, ExceptionService exceptions, CancellationToken cancellationToken)
    {
        // Security revokes access generally; an approver may take back what approvers gave.
        if (context.ActingOperator() is not { } acting || !(acting.Holds(OperatorRole.Security) || acting.Holds(OperatorRole.Approver)))
        {
            const string Message = "Revoking an exception needs the security or approver role.";
            await context.RequestServices.GetRequiredService<AuthenticationFailureAudit>().RecordForbiddenAsync(context, context.OperatorActor(), Message);
            return Problem.Result(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, Message);
        }

        var (body, problem) = await JsonBody.ReadAsync<GrantReasonBody>(context, BodyLimits.Request, JsonBodyProblems.Framework);
        if (problem is not null)
        {
            return problem;
        }

        var (grant, error) = await exceptions.RevokeAsync(id, body!.Reason, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return error is not null ? await ResultAsync(context, error) : TypedResults.Ok(GrantView.From(grant!));
    }

    private static GrantRequest ToRequest(GrantRequestBody body) =>
        new(body.Identity, body.Action, body.Resource, body.TtlSeconds is { } seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds, -1, int.MaxValue)) : null, body.Reason);

    private static IResult Created(HttpContext context, AccessGrant grant)
    {
        context.Response.Headers.Location = "/v1/exceptions/" + grant.Id;
        return TypedResults.Json(GrantView.From(grant), statusCode: StatusCodes.Status201Created);
    }

    /// <summary>The HTTP status of each refusal; a 403 (separation of duties) is also in the ledger, like every 403.</summary>
    private static async Task<IResult> ResultAsync(HttpContext context, GrantError error)
    {
        var status = error.Code switch
        {
            GrantErrorCodes.NotFound or GrantErrorCodes.IdentityUnknown => StatusCodes.Status404NotFound,
            GrantErrorCodes.Conflict => StatusCodes.Status409Conflict,
            OperatorErrorCodes.SeparationOfDuties => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status400BadRequest,
        };
        if (status == StatusCodes.Status403Forbidden)
        {
            await context.RequestServices.GetRequiredService<AuthenticationFailureAudit>().RecordForbiddenAsync(context, context.OperatorActor(), error.Message);
        }

        return Problem.Result(status, ProblemTypes.Of(error.Code), error.Message);
    }
}
