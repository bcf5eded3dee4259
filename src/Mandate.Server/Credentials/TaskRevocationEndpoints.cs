using System.Security.Claims;
using System.Text.Json.Serialization.Metadata;
using Mandate.Core.Credentials;
using Mandate.Core.Storage;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Operators;
using Mandate.Server.Http;
using Mandate.Server.Problems;
using Mandate.Server.Tasks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Credentials;

/// <summary>Admin revocation: one credential, a task, an identity, or everything an owner's identities hold.</summary>
internal static class TaskRevocationEndpoints
{
    public static IEndpointRouteBuilder MapTaskRevocationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/revocations", RevokeAsync).RequireOperatorRole(OperatorRole.Security);
        app.MapGet("/v1/revocations", ListAsync).RequireOperatorRole(OperatorRole.Auditor);
        app.MapGet("/v1/credentials/{jti}", GetCredentialAsync).RequireOperatorRole(OperatorRole.Auditor);
        return app;
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, ClaimsPrincipal user, RevocationService revocations, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await JsonBody.ReadAsync(
            context, (JsonTypeInfo<RevocationBody>)json.Value.SerializerOptions.GetTypeInfo(typeof(RevocationBody)), BodyLimits.Request, JsonBodyProblems.Admin);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        if (body?.TargetKind is not { } kind || !RevocationTargetKind.All.Contains(kind))
        {
            return Problem.BadRequest($"target_kind must be one of {string.Join(", ", RevocationTargetKind.All)}.");
        }

        if (string.IsNullOrWhiteSpace(body.Target))
        {
            return Problem.BadRequest("target is required: a jti, task id, SPIFFE ID or owner.");
        }

        var outcome = await revocations.RevokeAsync(kind, body.Target, body.Reason, TaskAuthorization.Caller(user), context.TraceIdentifier, cancellationToken);
        if (outcome is null)
        {
            return Problem.Result(StatusCodes.Status404NotFound, ProblemTypes.RevocationTargetNotFound, $"There is no {kind} '{body.Target}' to revoke.");
        }

        return TypedResults.Created($"/v1/revocations/{outcome.Entry.Id}", new
        {
            id = outcome.Entry.Id,
            target_kind = kind,
            target = body.Target,
            revoked_count = outcome.RevokedJtis.Count,
            revoked_jtis = outcome.RevokedJtis,
            revoked_at = outcome.Entry.RevokedAt,
        });
    }

    private static async Task<IResult> ListAsync(IMandateStore store, int? limit, CancellationToken cancellationToken)
    {
        await using var session = await store.BeginAsync(StoreIntent.Read, cancellationToken);
        var entries = await session.Get<IRevocationLogRepository>().ListAsync(Math.Clamp(limit ?? 100, 1, 1000), cancellationToken);
        return TypedResults.Ok(new { revocations = entries });
    }

    private static async Task<IResult> GetCredentialAsync(string jti, IMandateStore store, CancellationToken cancellationToken)
    {
        await using var session = await store.BeginAsync(StoreIntent.Read, cancellationToken);
        var record = await session.Get<ICredentialRepository>().GetAsync(jti, cancellationToken);
        return record is null
            ? Problem.NotFound($"There is no credential {jti}.")
            : TypedResults.Ok(CredentialView.From(record));
    }
}
