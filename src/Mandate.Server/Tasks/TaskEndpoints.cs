using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Mandate.Core.Credentials;
using Mandate.Core.Operators;
using Mandate.Core.Tasks;
using Mandate.Server.Authentication;
using Mandate.Server.Credentials;
using Mandate.Server.Delegation;
using Mandate.Server.Hosting;
using Mandate.Server.Http;
using Mandate.Server.Operators;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Server.Tasks;

/// <summary><c>/v1/tasks</c>: open (attested workloads), list, show, renew, complete.</summary>
internal static class TaskEndpoints
{
    private const long MaxBodyBytes = BodyLimits.Request;

    public static IEndpointRouteBuilder MapTaskEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/tasks").DisallowCaching();
        group.MapPost(string.Empty, OpenAsync).RequireAuthorization(AuthorizationPolicies.Workload).RequireFreshState();
        group.MapGet(string.Empty, ListAsync).RequireAuthorization(TaskAuthorization.AdminOrWorkload);
        group.MapGet("/{id}", GetAsync).RequireAuthorization(TaskAuthorization.AdminOrWorkload);
        group.MapPost("/{id}/renew", RenewAsync).RequireAuthorization(TaskAuthorization.AdminOrWorkload).RequireFreshState();
        group.MapPost("/{id}/complete", CompleteAsync).RequireAuthorization(TaskAuthorization.AdminOrWorkload);
        return app;
    }

    private static async Task<IResult> OpenAsync(
        HttpContext context,
        ClaimsPrincipal user,
        TaskService tasks,
        DpopProofChecker dpop,
        IRevocationSet revocations,
        PublicBaseUrl publicUrl,
        TimeProvider time,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await ReadBodyAsync<OpenTaskBody>(context, json.Value.SerializerOptions, required: true);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        if (body!.Intent is not { } raw)
        {
            return Problem.Result(StatusCodes.Status400BadRequest, ProblemTypes.TaskInvalidIntent, "intent is required");
        }

        if (!DataSensitivityNames.TryParse(raw.SensitivityCeiling, out var ceiling))
        {
            return Problem.Result(
                StatusCodes.Status400BadRequest,
                ProblemTypes.TaskInvalidIntent,
                $"intent.sensitivity_ceiling must be one of {DataSensitivityNames.Accepted}");
        }

        var intent = new TaskIntent
        {
            Description = raw.Description ?? string.Empty,
            Actions = raw.Actions ?? [],
            Resources = raw.Resources ?? [],
            SensitivityCeiling = ceiling,
            Destinations = raw.Destinations ?? [],
            Delegates = raw.Delegates ?? [],
        };

        ProofOfPossession? confirmation = null;
        if (context.Request.Headers["DPoP"] is { Count: > 0 } proofs)
        {
            if (proofs.Count > 1)
            {
                return Problem.Result(StatusCodes.Status400BadRequest, ProblemTypes.InvalidDpopProof, "send exactly one DPoP header");
            }

            var (thumbprint, error) = await dpop.CheckAsync(proofs[0]!, context.Request.Method, publicUrl.RequestUri(context.Request), accessToken: null);
            if (error is not null)
            {
                return Problem.Result(StatusCodes.Status400BadRequest, ProblemTypes.InvalidDpopProof, error);
            }

            confirmation = new ProofOfPossession(ProofOfPossession.Methods.Dpop, thumbprint!);
        }
        else if (context.Connection.ClientCertificate is { } certificate)
        {
            // A revoked X.509-SVID binds nothing new: the credential would be usable with the revoked certificate's key.
            if (revocations.IsRevoked(CredentialKinds.X509SvidJti(certificate.SerialNumber)))
            {
                return Problem.Result(
                    StatusCodes.Status400BadRequest,
                    ProblemTypes.ClientCertificateRevoked,
                    $"the client certificate (X.509-SVID serial {certificate.SerialNumber}) is revoked");
            }

            confirmation = ProofOfPossession.ForCertificate(certificate);
        }

        var outcome = await tasks.OpenAsync(
            new OpenTaskCommand
            {
                Subject = TaskAuthorization.Caller(user),
                Intent = intent,
                Ttl = body.TtlSeconds is { } seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds, -1, int.MaxValue)) : null,
                Confirmation = confirmation,
                RequestId = context.TraceIdentifier,
            },
            cancellationToken);
        if (!outcome.Succeeded)
        {
            return Refused(outcome);
        }

        var task = outcome.Task!;
        return TypedResults.Created($"/v1/tasks/{Uri.EscapeDataString(task.Id)}", new
        {
            task = TaskView.From(task),
            credential = CredentialOf(outcome, confirmation, time.GetUtcNow()),
        });
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, TaskService tasks, string? status, string? subject, int? limit, CancellationToken cancellationToken)
    {
        // A workload sees its own tasks; an admin sees everyone's (optionally one subject's).
        var who = TaskAuthorization.IsAdmin(user) ? subject : TaskAuthorization.Caller(user);
        var list = await tasks.ListAsync(who, status, Math.Clamp(limit ?? 100, 1, 1000), cancellationToken);
        return TypedResults.Ok(new { tasks = list.Select(t => TaskView.From(t)).ToList() });
    }

    private static async Task<IResult> GetAsync(string id, ClaimsPrincipal user, TaskService tasks, CancellationToken cancellationToken)
    {
        var task = await tasks.GetAsync(id, cancellationToken);
        if (task is null || (!TaskAuthorization.IsAdmin(user) && task.Subject != TaskAuthorization.Caller(user)))
        {
            // A workload cannot tell another's task from a missing one.
            return Problem.Result(StatusCodes.Status404NotFound, ProblemTypes.TaskNotFound, $"There is no task {id}.");
        }

        var credentials = await tasks.ListCredentialsAsync(id, cancellationToken);
        return TypedResults.Ok(TaskView.From(task, credentials));
    }

    private static async Task<IResult> RenewAsync(string id, HttpContext context, ClaimsPrincipal user, TaskService tasks, TimeProvider time, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        if (ActingOperator.Of(user) is { } acting && !acting.Holds(OperatorRole.Security))
        {
            return OperatorForbiddenHandler.Result(acting, OperatorRole.Security);
        }

        var (body, bodyProblem) = await ReadBodyAsync<RenewTaskBody>(context, json.Value.SerializerOptions, required: false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var outcome = await tasks.RenewAsync(
            id,
            TaskAuthorization.Caller(user),
            TaskAuthorization.IsAdmin(user),
            body?.TtlSeconds is { } seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds, -1, int.MaxValue)) : null,
            context.TraceIdentifier,
            cancellationToken);
        if (!outcome.Succeeded)
        {
            return Refused(outcome);
        }

        var credentials = await tasks.ListCredentialsAsync(id, cancellationToken);
        var binding = credentials.FirstOrDefault(c => c.Jti == outcome.CredentialJti)?.ProofOfPossession;
        return TypedResults.Ok(new { task = TaskView.From(outcome.Task!), credential = CredentialOf(outcome, binding, time.GetUtcNow()) });
    }

    private static async Task<IResult> CompleteAsync(string id, HttpContext context, ClaimsPrincipal user, TaskService tasks, CancellationToken cancellationToken)
    {
        if (ActingOperator.Of(user) is { } acting && !acting.Holds(OperatorRole.Security))
        {
            return OperatorForbiddenHandler.Result(acting, OperatorRole.Security);
        }

        var outcome = await tasks.CompleteAsync(id, TaskAuthorization.Caller(user), TaskAuthorization.IsAdmin(user), context.TraceIdentifier, cancellationToken);
        if (!outcome.Succeeded)
        {
            return Refused(outcome);
        }

        return TypedResults.Ok(new { task = TaskView.From(outcome.Task!), revoked_credentials = outcome.RevokedCount });
    }

    private static IssuedCredentialView CredentialOf(TaskOutcome outcome, ProofOfPossession? binding, DateTimeOffset now)
    {
        var task = outcome.Task!;
        return new IssuedCredentialView(
            outcome.Token!,
            binding?.Method == ProofOfPossession.Methods.Dpop ? "DPoP" : "Bearer",
            Math.Max(0, (long)(task.ExpiresAt - now).TotalSeconds),
            outcome.CredentialJti!,
            string.Join(' ', task.Intent.Actions),
            task.ExpiresAt);
    }

    private static IResult Refused(TaskOutcome outcome)
    {
        var status = TaskProblemTypes.StatusOf(outcome.ErrorCode!);
        var extensions = outcome.Reasons.Count > 0 ? new Dictionary<string, object?> { ["reasons"] = outcome.Reasons } : null;
        return Problem.Result(status, ProblemTypes.Of(outcome.ErrorCode!), outcome.Message, extensions);
    }

    private static ValueTask<(T? Value, IResult? Problem)> ReadBodyAsync<T>(HttpContext context, JsonSerializerOptions options, bool required)
        where T : class =>
        JsonBody.ReadAsync(context, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)), MaxBodyBytes, JsonBodyProblems.Admin, required);
}
