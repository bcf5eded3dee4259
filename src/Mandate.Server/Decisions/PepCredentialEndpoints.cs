using Mandate.Core.Decisions;
using Mandate.Core.Operators;
using Mandate.Server.Http;
using Mandate.Server.Operators;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Decisions;

/// <summary>
/// <c>/v1/pep-credentials</c> (security role): issue a PEP credential (its token shown once, <c>no-store</c>), list the
/// issued and configured ones (never a token or hash), revoke one (refused at <c>/access/v1/*</c> from then on).
/// </summary>
internal static class PepCredentialEndpoints
{
    public static IEndpointRouteBuilder MapPepCredentialEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/pep-credentials").RequireOperatorRole(OperatorRole.Security);
        group.MapPost(string.Empty, IssueAsync).DisallowCaching();
        group.MapGet(string.Empty, ListAsync);
        group.MapDelete("/{id}", (string id, HttpContext c, PepCredentials p, CancellationToken ct) => RevokeAsync(id, false, c, p, ct));
        group.MapPost("/{id}/revoke", (string id, HttpContext c, PepCredentials p, CancellationToken ct) => RevokeAsync(id, true, c, p, ct));
        return app;
    }

    private static async Task<IResult> IssueAsync(HttpContext context, PepCredentials credentials, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<IssuePepCredentialRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework);
        if (problem is not null)
        {
            return problem;
        }

        TimeSpan? ttl = body!.TtlSeconds is { } seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds, -1, 100L * 365 * 24 * 3600)) : null;
        var (credential, secret, error) = await credentials.IssueAsync(body.Name, ttl, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        if (error is not null)
        {
            return OperatorProblems.Result(error);
        }

        return TypedResults.Created(
            "/v1/pep-credentials/" + credential!.Id,
            new { token = secret, id = credential.Id, name = credential.Name, caller = "pep:" + credential.Name, created_at = credential.CreatedAt, expires_at = credential.ExpiresAt });
    }

    private static async Task<IResult> ListAsync(PepCredentials credentials, IOptionsMonitor<DecisionOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var issued = await credentials.ListAsync(cancellationToken);
        return TypedResults.Ok(new
        {
            pep_credentials = issued.Select(c => View(c, now)).ToList(),
            configured = options.CurrentValue.PepCredentials.Select(p => p.Name).ToList(),
        });
    }

    private static async Task<IResult> RevokeAsync(string id, bool readBody, HttpContext context, PepCredentials credentials, CancellationToken cancellationToken)
    {
        string? reason = null;
        if (readBody)
        {
            var (body, problem) = await JsonBody.ReadAsync<OperatorReasonRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
            if (problem is not null)
            {
                return problem;
            }

            reason = body?.Reason;
        }

        var (credential, error) = await credentials.RevokeAsync(id, reason, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return error is not null ? OperatorProblems.Result(error) : TypedResults.Ok(View(credential!, credential!.RevokedAt!.Value));
    }

    private static PepCredentialView View(StoredPepCredential c, DateTimeOffset now) => new(
        c.Id,
        c.Name,
        c.RevokedAt is not null ? "revoked" : c.IsUsableAt(now) ? "active" : "expired",
        c.CreatedAt,
        c.CreatedBy,
        c.ExpiresAt,
        c.RevokedAt,
        c.RevokedBy,
        c.RevokedReason);

    internal sealed record IssuePepCredentialRequest(string? Name, long? TtlSeconds);

    internal sealed record PepCredentialView(
        string Id,
        string Name,
        string Status,
        DateTimeOffset CreatedAt,
        string CreatedBy,
        DateTimeOffset? ExpiresAt,
        DateTimeOffset? RevokedAt,
        string? RevokedBy,
        string? RevokedReason);
}
