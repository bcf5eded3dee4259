using System.Text.Json.Serialization;
using Mandate.Core.Governance.Findings;
using Mandate.Core.Operators;
using Mandate.Server.Http;
using Mandate.Server.Operators;
using Mandate.Server.Problems;

namespace Mandate.Server.Governance;

/// <summary>
/// <c>GET /v1/findings</c> (auditor and up); <c>POST /v1/findings/recompute</c> and <c>POST /v1/findings/{id}/accept</c>
/// (security or admin).
/// </summary>
internal static class FindingEndpoints
{
    public static IEndpointRouteBuilder MapFindingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/findings", ListAsync).RequireOperatorRole(OperatorRole.Auditor);
        app.MapPost("/v1/findings/recompute", async (HttpContext context, FindingService findings, CancellationToken cancellationToken) =>
        {
            var result = await findings.RecomputeAsync(context.OperatorActor(), context.TraceIdentifier, cancellationToken);
            return TypedResults.Ok(new RecomputeView(result.Identities, result.Findings, result.Opened, result.Reopened, result.Resolved, result.At));
        }).RequireOperatorRole(OperatorRole.Security);
        app.MapPost("/v1/findings/{id}/accept", AcceptAsync).RequireOperatorRole(OperatorRole.Security);
        return app;
    }

    private static async Task<IResult> AcceptAsync(string id, HttpContext context, FindingService findings, CancellationToken cancellationToken)
    {
        var (request, bodyProblem) = await JsonBody.ReadAsync<AcceptRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        if (request!.Until is not { } until)
        {
            return Problem.BadRequest("until: required (an RFC 3339 time: the acceptance ends then and the finding reopens if it still holds).");
        }

        var (finding, error) = await findings.AcceptAsync(id, request.Reason, until, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return error switch
        {
            null => TypedResults.Ok(FindingView.From(finding!)),
            { Code: "unknown" } => Problem.NotFound(error.Message),
            { Code: "resolved" } => Problem.Conflict(error.Message),
            _ => Problem.BadRequest(error.Message),
        };
    }

    internal sealed record AcceptRequest(string? Reason, DateTimeOffset? Until);

    private static async Task<IResult> ListAsync(HttpContext context, FindingService findings, CancellationToken cancellationToken)
    {
        var q = context.Request.Query;
        var kind = q["kind"].ToString();
        if (kind.Length > 0 && !FindingKinds.All.Contains(kind))
        {
            return Problem.BadRequest($"kind: one of {string.Join(", ", FindingKinds.All)}.");
        }

        var status = q["status"].ToString();
        if (status.Length > 0 && status is not ("open" or "accepted" or "resolved" or "all"))
        {
            return Problem.BadRequest("status: open (default), accepted, resolved or all.");
        }

        var list = await findings.ListAsync(
            new FindingQuery
            {
                Kind = kind.Length == 0 ? null : kind,
                Owner = q["owner"].ToString() is { Length: > 0 } owner ? owner : null,
                Identity = q["identity"].ToString() is { Length: > 0 } identity ? identity : null,
                Status = status switch { "" => "open", "all" => null, _ => status },
            },
            cancellationToken);
        return TypedResults.Ok(new FindingListView([.. list.Select(FindingView.From)]));
    }

    internal sealed record FindingListView(IReadOnlyList<FindingView> Findings);

    internal sealed record FindingView(
        string Id,
        string Kind,
        string Severity,
        string Identity,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Owner,
        string Summary,
        IReadOnlyList<EvidenceView> Evidence,
        DateTimeOffset FirstSeen,
        string Status,
        string Remediation)
    {
        public static FindingView From(Finding f) => new(
            f.Id, f.Kind, f.Severity, f.Identity, f.Owner, f.Summary,
            [.. f.Evidence.Select(e => new EvidenceView(e.Kind, e.Sequence, e.Id, e.Name, e.Value, e.Source))],
            f.FirstSeen, f.Status, f.Remediation);
    }

    internal sealed record EvidenceView(string Kind, long? Sequence, string? Id, string? Name, string? Value, string? Source);

    internal sealed record RecomputeView(int Identities, int Findings, int Opened, int Reopened, int Resolved, DateTimeOffset At);
}
