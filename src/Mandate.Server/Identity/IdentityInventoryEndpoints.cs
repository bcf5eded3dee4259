using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Operators;
using Mandate.Server.Http;

namespace Mandate.Server.Identity;

/// <summary>
/// The NHI inventory admin API. An identity is addressed in URLs without its scheme:
/// <c>GET /v1/identities/demo.mandate.local/svc/billing</c> is <c>spiffe://demo.mandate.local/svc/billing</c>.
/// </summary>
internal static class IdentityInventoryEndpoints
{
    public static IEndpointRouteBuilder MapIdentityInventoryEndpoints(this IEndpointRouteBuilder app)
    {
        // Reading the inventory is an auditor's; status changes are security's (incident response); registering is admin's.
        var group = app.MapGroup("/v1/identities").RequireOperatorRole(OperatorRole.Auditor);
        group.MapPost("/", RegisterAsync).RequireOperatorRole(OperatorRole.Admin);
        group.MapGet("/", ListAsync);
        group.MapGet("/{trustDomain}/{**path}", GetAsync);
        group.MapPost("/suspend", (HttpContext c, IdentityRefusals f, IdentityInventory i, TimeProvider t, CancellationToken ct) => ChangeAsync(IdentityStatus.Suspended, c, f, i, t, ct)).RequireOperatorRole(OperatorRole.Security);
        group.MapPost("/reactivate", (HttpContext c, IdentityRefusals f, IdentityInventory i, TimeProvider t, CancellationToken ct) => ChangeAsync(IdentityStatus.Active, c, f, i, t, ct)).RequireOperatorRole(OperatorRole.Security);
        group.MapPost("/revoke", (HttpContext c, IdentityRefusals f, IdentityInventory i, TimeProvider t, CancellationToken ct) => ChangeAsync(IdentityStatus.Revoked, c, f, i, t, ct)).RequireOperatorRole(OperatorRole.Security);
        group.MapPost("/offboard", (HttpContext c, IdentityRefusals f, IdentityInventory i, TimeProvider t, CancellationToken ct) => ChangeAsync(IdentityStatus.Offboarded, c, f, i, t, ct)).RequireOperatorRole(OperatorRole.Security);
        return app;
    }

    private static async Task<IResult> RegisterAsync(HttpContext context, IdentityRefusals refusals, IdentityInventory inventory, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, bodyProblem) = await JsonBody.ReadAsync<IdentityRegistrationRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        if (request is null)
        {
            return await refusals.RejectAsync(context, new IdentityError(IdentityErrorCodes.IdentityInvalid, "A JSON body is required."), "register", null, cancellationToken: cancellationToken);
        }

        if (request.TtlSeconds is <= 0 or > 100L * 365 * 24 * 3600)
        {
            return await refusals.RejectAsync(context, new IdentityError(IdentityErrorCodes.IdentityInvalid, "ttl_seconds: must be positive and reasonable."), "register", request.SpiffeId, cancellationToken: cancellationToken);
        }

        var result = await inventory.RegisterAsync(
            new IdentityRegistration
            {
                SpiffeId = request.SpiffeId,
                Kind = request.Kind,
                Owner = request.Owner,
                Purpose = request.Purpose,
                Environment = request.Environment,
                ExpiresAt = request.ExpiresAt,
                Ttl = request.TtlSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                Labels = request.Labels,
            },
            context.OperatorActor(),
            context.TraceIdentifier,
            cancellationToken);
        if (result.Error is { } error)
        {
            return await refusals.RejectAsync(context, error, "register", request.SpiffeId, cancellationToken: cancellationToken);
        }

        var created = IdentityResponse.From(result.Identity!, time.GetUtcNow());
        return TypedResults.Created("/v1/identities/" + created.SpiffeId[SpiffeId.Scheme.Length..], created);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IdentityInventory inventory, TimeProvider time, CancellationToken cancellationToken)
    {
        var q = context.Request.Query;
        NhiKind? kind = null;
        IdentityStatus? status = null;
        KeyValuePair<string, string>? label = null;
        if (q["kind"].ToString() is { Length: > 0 } kindText)
        {
            if (!NhiKinds.TryParse(kindText, out var k))
            {
                return Problems.Problem.BadRequest($"kind: must be one of {string.Join(", ", NhiKinds.All)}.");
            }

            kind = k;
        }

        var now = time.GetUtcNow();
        DateTimeOffset? expiredBy = null;
        DateTimeOffset? liveAfter = null;
        if (q["status"].ToString() is { Length: > 0 } statusText)
        {
            // "active" and "expired" split the active lifecycle state by expiry, as the listed status shows it.
            if (statusText == IdentityStatuses.Expired)
            {
                status = IdentityStatus.Active;
                expiredBy = now;
            }
            else if (IdentityStatuses.TryParse(statusText, out var s))
            {
                status = s;
                liveAfter = s == IdentityStatus.Active ? now : null;
            }
            else
            {
                return Problems.Problem.BadRequest($"status: must be one of {string.Join(", ", IdentityStatuses.FilterNames)}.");
            }
        }

        if (q["label"].ToString() is { Length: > 0 } labelText)
        {
            var equals = labelText.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return Problems.Problem.BadRequest("label: use key=value.");
            }

            label = new KeyValuePair<string, string>(labelText[..equals], labelText[(equals + 1)..]);
        }

        var limit = 100;
        if (q["limit"].ToString() is { Length: > 0 } limitText && (!int.TryParse(limitText, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            return Problems.Problem.BadRequest("limit: a number from 1 to 1000.");
        }

        var items = await inventory.ListAsync(
            new IdentityQuery
            {
                Owner = NullIfEmpty(q["owner"]),
                Environment = NullIfEmpty(q["environment"]),
                Prefix = NullIfEmpty(q["prefix"]),
                After = NullIfEmpty(q["after"]),
                Kind = kind,
                Status = status,
                ExpiresAtOrBefore = expiredBy,
                ExpiresAfter = liveAfter,
                Label = label,
                Limit = limit,
            },
            cancellationToken);
        return TypedResults.Ok(new
        {
            identities = items.Select(i => IdentityResponse.From(i, now)).ToList(),
            next = items.Count == limit ? items[^1].SpiffeId : null,
        });
    }

    private static async Task<IResult> GetAsync(string trustDomain, string? path, HttpContext context, IdentityInventory inventory, TimeProvider time, CancellationToken cancellationToken)
    {
        var text = SpiffeId.Scheme + trustDomain + (string.IsNullOrEmpty(path) ? string.Empty : "/" + path);
        if (!SpiffeId.TryParse(text, out var id, out var error))
        {
            return Problems.Problem.Result(StatusCodes.Status400BadRequest, Problems.ProblemTypes.InvalidSpiffeId, error + ".");
        }

        var identity = await inventory.GetAsync(id.Value, cancellationToken);
        return identity is null
            ? Problems.Problem.Result(StatusCodes.Status404NotFound, Problems.ProblemTypes.IdentityUnknown, $"The identity {id} is not in the inventory.")
            : TypedResults.Ok(IdentityResponse.From(identity, time.GetUtcNow()));
    }

    private static async Task<IResult> ChangeAsync(IdentityStatus target, HttpContext context, IdentityRefusals refusals, IdentityInventory inventory, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, bodyProblem) = await JsonBody.ReadAsync<IdentityStatusRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var action = IdentityStatuses.Name(target);
        string? parseError = "required";
        if (request?.SpiffeId is null || !SpiffeId.TryParse(request.SpiffeId, out _, out parseError))
        {
            return await refusals.RejectAsync(context, new IdentityError(IdentityErrorCodes.InvalidSpiffeId, "spiffe_id: " + parseError + "."), action, request?.SpiffeId, cancellationToken: cancellationToken);
        }

        var result = await inventory.ChangeStatusAsync(request.SpiffeId, target, request.Reason, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        if (result.Error is { } error)
        {
            return await refusals.RejectAsync(context, error, action, request.SpiffeId, cancellationToken: cancellationToken);
        }

        return TypedResults.Ok(IdentityResponse.From(result.Identity!, time.GetUtcNow()));
    }

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) => value.Count == 0 || string.IsNullOrEmpty(value[0]) ? null : value[0];
}
