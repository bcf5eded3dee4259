using System.Globalization;
using Mandate.Core.Governance.Reviews;
using Mandate.Core.Operators;
using Mandate.Server.Http;
using Mandate.Server.Operators;
using Mandate.Server.Problems;

namespace Mandate.Server.Governance.Reviews;

/// <summary>
/// Access reviews: <c>GET /v1/reviews</c>, <c>/v1/reviews/{id}</c> and <c>/v1/reviews/{id}/report</c> (auditor and
/// up); <c>POST /v1/reviews</c> starts one (security or admin); <c>POST /v1/reviews/{id}/items/{n}/decision</c>
/// certifies or revokes an item (the campaign's reviewer); <c>POST /v1/reviews/{id}/items/{n}/lift</c> lifts a revoked
/// entitlement again (security or admin).
/// </summary>
internal static class ReviewEndpoints
{
    public static IEndpointRouteBuilder MapReviewEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/reviews").RequireOperatorRole(OperatorRole.Auditor);
        group.MapGet("/", ListAsync);
        group.MapPost("/", StartAsync).RequireOperatorRole(OperatorRole.Security);
        group.MapGet("/{id}", ShowAsync);
        group.MapGet("/{id}/report", ReportAsync);
        group.MapPost("/{id}/items/{item}/decision", DecideAsync).RequireOperatorRole(OperatorRole.Reviewer);
        group.MapPost("/{id}/items/{item}/lift", LiftAsync).RequireOperatorRole(OperatorRole.Security);
        return app;
    }

    private static async Task<IResult> StartAsync(HttpContext context, ReviewService reviews, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, bodyProblem) = await JsonBody.ReadAsync<ReviewStartRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var (campaign, error) = await reviews.StartAsync(
            new ReviewStart(request!.Owner, request.All ?? false, request.Reviewer, request.Due), context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return error is not null
            ? await ReviewProblems.ResultAsync(context, error)
            : TypedResults.Created("/v1/reviews/" + campaign!.Id, ReviewView.From(campaign, time.GetUtcNow()));
    }

    private static async Task<IResult> ListAsync(HttpContext context, ReviewService reviews, TimeProvider time, CancellationToken cancellationToken)
    {
        var status = context.Request.Query["status"].ToString();
        if (status.Length > 0 && status is not (ReviewStatuses.Open or ReviewStatuses.Overdue or ReviewStatuses.Completed))
        {
            return Problem.BadRequest("status: open, overdue or completed (default: every review).");
        }

        var now = time.GetUtcNow();
        var list = (await reviews.ListAsync(1000, cancellationToken)).Select(c => ReviewView.From(c, now));
        if (status.Length > 0)
        {
            // An overdue review is still open: "open" lists both, "overdue" only those past due.
            list = list.Where(v => status == ReviewStatuses.Open ? v.Status is ReviewStatuses.Open or ReviewStatuses.Overdue : v.Status == status);
        }

        return TypedResults.Ok(new ReviewListView([.. list]));
    }

    private static async Task<IResult> ShowAsync(string id, ReviewService reviews, TimeProvider time, CancellationToken cancellationToken)
    {
        var campaign = await reviews.GetAsync(id, cancellationToken);
        if (campaign is null)
        {
            return NotFound(id);
        }

        var items = await reviews.ItemsAsync(id, cancellationToken);
        return TypedResults.Ok(new ReviewDetailView(ReviewView.From(campaign, time.GetUtcNow()), [.. items.Select(ReviewItemView.From)]));
    }

    private static async Task<IResult> ReportAsync(string id, ReviewService reviews, TimeProvider time, CancellationToken cancellationToken)
    {
        var campaign = await reviews.GetAsync(id, cancellationToken);
        if (campaign is null)
        {
            return NotFound(id);
        }

        var items = await reviews.ItemsAsync(id, cancellationToken);
        var decided = items.Where(i => i.Decision is not null).ToList();
        var certified = decided.Count(i => i.Decision == ReviewStatuses.Certified);
        var percent = items.Count == 0 ? 100.0 : Math.Round(100.0 * decided.Count / items.Count, 1);
        return TypedResults.Ok(new ReviewReportView(
            ReviewView.From(campaign, time.GetUtcNow()),
            new ReviewCompletionView(items.Count, decided.Count, certified, decided.Count - certified, items.Count - decided.Count, percent),
            [.. decided.OrderBy(i => i.DecidedAt).ThenBy(i => i.Number).Select(i => new ReviewDecisionView(
                i.Number, i.Kind, i.Identity, i.Summary, i.Decision!, i.DecidedBy!, i.DecidedAt!.Value, i.Reason, i.Enforcement, i.EnforcementDetail, i.PolicyVersion, i.LedgerSequence, ReviewLiftView.From(i)))],
            [.. items.Where(i => i.Decision is null).Select(ReviewItemView.From)]));
    }

    private static async Task<IResult> DecideAsync(string id, string item, HttpContext context, ReviewService reviews, CancellationToken cancellationToken)
    {
        if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            return Problem.BadRequest("item: the item's number (1, 2, …) as 'mandate review show' lists it.", ProblemTypes.ReviewInvalid);
        }

        var (request, bodyProblem) = await JsonBody.ReadAsync<ReviewDecisionRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var revoke = request!.Decision switch
        {
            "certify" => false,
            "revoke" => true,
            _ => (bool?)null,
        };
        if (revoke is null)
        {
            return Problem.BadRequest("decision: certify or revoke.", ProblemTypes.ReviewInvalid);
        }

        var acting = context.ActingOperator();
        var (decided, error) = await reviews.DecideAsync(
            id, number, revoke.Value, request.Reason, context.OperatorActor(), acting?.Holds(OperatorRole.Reviewer) == true, context.TraceIdentifier, cancellationToken);
        return error is not null ? await ReviewProblems.ResultAsync(context, error) : TypedResults.Ok(ReviewItemView.From(decided!));
    }

    private static async Task<IResult> LiftAsync(string id, string item, HttpContext context, ReviewService reviews, CancellationToken cancellationToken)
    {
        if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            return Problem.BadRequest("item: the item's number (1, 2, …) as 'mandate review show' lists it.", ProblemTypes.ReviewInvalid);
        }

        var (request, bodyProblem) = await JsonBody.ReadAsync<ReviewLiftRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var (lifted, error) = await reviews.LiftAsync(id, number, request!.Reason, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return error is not null ? await ReviewProblems.ResultAsync(context, error) : TypedResults.Ok(ReviewItemView.From(lifted!));
    }

    private static IResult NotFound(string id) => Problem.Result(StatusCodes.Status404NotFound, ProblemTypes.ReviewNotFound, $"No access review {id}.");
}
