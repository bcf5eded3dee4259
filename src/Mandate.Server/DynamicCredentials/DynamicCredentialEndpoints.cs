using System.Security.Claims;
using System.Text.Json.Serialization.Metadata;
using Mandate.Core.Credentials;
using Mandate.Core.DynamicCredentials;
using Mandate.Core.Tasks;
using Mandate.Server.Authentication;
using Mandate.Server.Hosting;
using Mandate.Server.Http;
using Mandate.Server.Problems;
using Mandate.Server.Tasks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Mandate.Server.DynamicCredentials;

/// <summary>
/// <c>POST /v1/tasks/{id}/dynamic-credentials</c>: a task asks, with its own task credential, for a credential in a
/// downstream system that ends with the task; <c>GET /v1/dynamic-credentials</c>: operators list the leases.
/// </summary>
internal static class DynamicCredentialEndpoints
{
    /// <summary>The event a refused task credential at this endpoint writes (folded like every refused authentication).</summary>
    public const string AuthenticationFailedEvent = "dynamic_credential.authentication_failed";

    public static IEndpointRouteBuilder MapDynamicCredentialEndpoints(this IEndpointRouteBuilder app)
    {
        // Authenticated here, not by a scheme: the caller presents the task credential itself (Bearer or DPoP-bound),
        // which proves it holds this task's lease, not merely the workload's identity.
        app.MapPost("/v1/tasks/{id}/dynamic-credentials", IssueAsync).AllowAnonymous().DisallowCaching().RequireFreshState();
        app.MapGet("/v1/dynamic-credentials", ListAsync).RequireAuthorization(AuthorizationPolicies.Admin).DisallowCaching();
        return app;
    }

    private static async Task<IResult> IssueAsync(
        string id,
        HttpContext context,
        DynamicCredentialService service,
        ICredentialVerifier verifier,
        PublicBaseUrl publicUrl,
        AuthenticationFailureAudit failures,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        var (scheme, token) = PresentedToken(context.Request);
        if (token is null)
        {
            return await UnauthenticatedAsync(context, failures, "present this task's credential as 'Authorization: Bearer <token>' (or 'DPoP <token>' with its proof)", "no task credential was presented");
        }

        var dpop = context.Request.Headers["DPoP"];
        if (dpop.Count > 1)
        {
            return Problem.Result(StatusCodes.Status400BadRequest, ProblemTypes.InvalidDpopProof, "send exactly one DPoP header");
        }

        var verification = await verifier.VerifyAsync(
            new CredentialPresentation(token)
            {
                DpopProof = dpop.Count == 1 ? dpop[0] : null,
                HttpMethod = context.Request.Method,
                HttpUri = publicUrl.RequestUri(context.Request),
                ClientCertificateThumbprint = context.Connection.ClientCertificate is { } certificate ? ProofOfPossession.ForCertificate(certificate).Thumbprint : null,
                Source = context.Connection.RemoteIpAddress?.ToString(),
                AddressedToMandate = true,
            },
            cancellationToken);
        if (!verification.Valid || verification.Credential is not { } credential)
        {
            var why = verification.Description ?? "the credential did not verify";
            return await UnauthenticatedAsync(context, failures, why, why);
        }

        if (credential.Kind != CredentialKinds.Task)
        {
            // A JWT-SVID proves the workload, not the task's lease; an exchanged token is a delegate's, not the task's.
            return await UnauthenticatedAsync(context, failures, $"a {credential.Kind} credential is not a task credential", $"a {credential.Kind} credential is not a task credential", credential.Subject);
        }

        if (credential.TaskId != id)
        {
            // Another task's credential answers like a missing task: it reveals nothing about this one.
            return Problem.Result(StatusCodes.Status404NotFound, ProblemTypes.TaskNotFound, $"There is no task {id} for this credential.");
        }

        if ((scheme == "DPoP") != (credential.ProofOfPossession?.Method == ProofOfPossession.Methods.Dpop))
        {
            const string Why = "a DPoP-bound credential is presented as 'Authorization: DPoP <token>' with its proof, any other as 'Bearer'";
            return await UnauthenticatedAsync(context, failures, Why, "presented under the wrong authorization scheme", credential.Subject);
        }

        var (body, bodyProblem) = await JsonBody.ReadAsync(
            context,
            (JsonTypeInfo<DynamicCredentialBody>)json.Value.SerializerOptions.GetTypeInfo(typeof(DynamicCredentialBody)),
            BodyLimits.Request,
            JsonBodyProblems.Admin,
            required: true);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        if (string.IsNullOrWhiteSpace(body!.Engine))
        {
            return Problem.Result(StatusCodes.Status400BadRequest, ProblemTypes.InvalidRequest, "engine is required (the name of a configured dynamic credential engine)");
        }

        var outcome = await service.IssueAsync(id, credential.Subject, credential.Jti, body.Engine, context.TraceIdentifier, cancellationToken);
        if (!outcome.Succeeded)
        {
            var status = outcome.ErrorCode switch
            {
                DynamicCredentialErrorCodes.EngineNotFound or TaskErrorCodes.NotFound => StatusCodes.Status404NotFound,
                DynamicCredentialErrorCodes.Denied => StatusCodes.Status403Forbidden,
                DynamicCredentialErrorCodes.EngineFailed => StatusCodes.Status502BadGateway,
                _ => TaskProblemTypes.StatusOf(outcome.ErrorCode!),
            };
            var extensions = outcome.Reasons.Count > 0 ? new Dictionary<string, object?> { ["reasons"] = outcome.Reasons } : null;
            return Problem.Result(status, ProblemTypes.Of(outcome.ErrorCode!), outcome.Message, extensions);
        }

        // Cache-Control: no-store and Pragma: no-cache come from DisallowCaching, on this answer as on every other.
        var lease = outcome.Lease!;
        return TypedResults.Created(
            $"/v1/dynamic-credentials?task={Uri.EscapeDataString(lease.TaskId)}",
            new IssuedDynamicCredentialView(lease.Id, lease.TaskId, lease.Engine, outcome.Secret!.Username, outcome.Secret.Password, lease.ExpiresAt));
    }

    private static async Task<IResult> ListAsync(DynamicCredentialService service, string? task, string? status, int? limit, CancellationToken cancellationToken)
    {
        var leases = await service.ListAsync(task, status, Math.Clamp(limit ?? 100, 1, 1000), cancellationToken);
        return TypedResults.Ok(new { dynamic_credentials = leases.Select(DynamicCredentialLeaseView.From).ToList() });
    }

    private static (string? Scheme, string? Token) PresentedToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        foreach (var scheme in new[] { "Bearer", "DPoP" })
        {
            if (header.StartsWith(scheme + " ", StringComparison.OrdinalIgnoreCase) && header[(scheme.Length + 1)..].Trim() is { Length: > 0 } token)
            {
                return (scheme, token);
            }
        }

        return (null, null);
    }

    /// <summary>
    /// A refused task credential: audited and counted against the client network's failure limit as the
    /// authentication schemes do (this endpoint authenticates by itself), then the 401.
    /// </summary>
    /// <param name="context">The refused request.</param>
    /// <param name="failures">The audit and failure limit of refused authentications.</param>
    /// <param name="why">What the caller is told.</param>
    /// <param name="reason">What the ledger records: a short reason, never the credential.</param>
    /// <param name="subject">The identity whose genuine credential was refused (an SVID presented here), when known.</param>
    private static async Task<IResult> UnauthenticatedAsync(HttpContext context, AuthenticationFailureAudit failures, string why, string reason, string? subject = null)
    {
        await failures.RecordAsync(context, AuthenticationFailedEvent, reason.Length <= 200 ? reason : reason[..200] + "…", subject);
        context.Response.Headers.WWWAuthenticate = BearerChallenge.Unauthorized(context, "mandate-task");
        return Problem.Result(StatusCodes.Status401Unauthorized, ProblemTypes.Unauthenticated, $"This endpoint needs the task's own credential: {why}");
    }
}
