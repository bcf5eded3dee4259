using Mandate.Core.Governance.Offboarding;
using Mandate.Core.Operators;
using Mandate.Server.Governance.Reviews;
using Mandate.Server.Http;
using Mandate.Server.Operators;
using Mandate.Server.Problems;

namespace Mandate.Server.Governance.Offboarding;

/// <summary>
/// Owner offboarding: <c>POST /v1/offboardings</c> (security or admin) offboards an owner and answers with the signed
/// evidence pack; <c>GET /v1/offboardings</c> lists them and <c>GET /v1/offboardings/{id}</c> hands the pack out again,
/// byte for byte as signed (auditor and up).
/// </summary>
internal static class OffboardingEndpoints
{
    public static IEndpointRouteBuilder MapOffboardingEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/offboardings").RequireOperatorRole(OperatorRole.Auditor);
        group.MapPost("/", OffboardAsync).RequireOperatorRole(OperatorRole.Security);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id}", GetAsync);
        return app;
    }

    private static async Task<IResult> OffboardAsync(HttpContext context, OffboardingService offboarding, CancellationToken cancellationToken)
    {
        var (request, bodyProblem) = await JsonBody.ReadAsync<OffboardingRequestBody>(context, BodyLimits.Request, JsonBodyProblems.Framework);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var (record, error) = await offboarding.OffboardAsync(
            new OffboardingRequest(request!.Owner, request.Reason, request.TransferTo, request.Reviewer), context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        if (error is not null)
        {
            return await ReviewProblems.ResultAsync(context, error);
        }

        context.Response.Headers.Location = "/v1/offboardings/" + record!.Id;
        return Results.Text(record.Evidence, "application/json", System.Text.Encoding.UTF8, StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(OffboardingService offboarding, CancellationToken cancellationToken)
    {
        var list = await offboarding.ListAsync(1000, cancellationToken);
        return TypedResults.Ok(new OffboardingListView([.. list.Select(r => new OffboardingView(r.Id, r.Owner, r.CreatedAt, r.CreatedBy))]));
    }

    private static async Task<IResult> GetAsync(string id, OffboardingService offboarding, CancellationToken cancellationToken)
    {
        var record = await offboarding.GetAsync(id, cancellationToken);
        return record is null
            ? Problem.Result(StatusCodes.Status404NotFound, ProblemTypes.OffboardingNotFound, $"No offboarding {id}.")
            : Results.Text(record.Evidence, "application/json", System.Text.Encoding.UTF8);
    }

    internal sealed record OffboardingRequestBody(string? Owner, string? Reason, string? TransferTo, string? Reviewer);

    internal sealed record OffboardingView(string Id, string Owner, DateTimeOffset CreatedAt, string CreatedBy);

    internal sealed record OffboardingListView(IReadOnlyList<OffboardingView> Offboardings);
}
