using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Http;

namespace Mandate.Server.Operators;

/// <summary>
/// <c>/v1/operators</c>: named operators (admin role) and their tokens (admin role, or the operator themself), and
/// OIDC sign-in (anonymous, rate-limited like attestation; failures audited and counted like any refused credential).
/// Answers that carry a token secret are <c>Cache-Control: no-store</c>; lists never carry one.
/// </summary>
internal static class OperatorEndpoints
{
    public static IEndpointRouteBuilder MapOperatorEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/operators/sign-in", SignInAsync).AllowAnonymous().WithName("operator_sign_in").RequireRateLimiting(AttestationRateLimiting.PolicyName).DisallowCaching();

        var admin = app.MapGroup("/v1/operators").RequireOperatorRole(OperatorRole.Admin);
        admin.MapPost(string.Empty, AddAsync);
        admin.MapGet(string.Empty, ListAsync);
        admin.MapPost("/{name}/disable", (string name, HttpContext c, OperatorDirectory d, CancellationToken ct) => SetEnabledAsync(name, false, c, d, ct));
        admin.MapPost("/{name}/enable", (string name, HttpContext c, OperatorDirectory d, CancellationToken ct) => SetEnabledAsync(name, true, c, d, ct));
        admin.MapPost("/{name}/roles", SetRolesAsync);

        // One's own record and tokens: any operator; someone else's: admin.
        var own = app.MapGroup("/v1/operators/{name}").RequireOperatorRole(OperatorRole.Auditor);
        own.MapGet(string.Empty, GetAsync);
        own.MapGet("/tokens", ListTokensAsync);
        own.MapPost("/tokens", CreateTokenAsync).DisallowCaching();
        own.MapDelete("/tokens/{id}", (string name, string id, HttpContext c, OperatorDirectory d, CancellationToken ct) => RevokeTokenAsync(name, id, false, c, d, ct));
        own.MapPost("/tokens/{id}/revoke", (string name, string id, HttpContext c, OperatorDirectory d, CancellationToken ct) => RevokeTokenAsync(name, id, true, c, d, ct));
        own.MapPost("/tokens/{id}/rotate", RotateTokenAsync).DisallowCaching();
        return app;
    }

    private static async Task<IResult> AddAsync(HttpContext context, OperatorDirectory directory, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<AddOperatorRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework);
        if (problem is not null)
        {
            return problem;
        }

        var result = await directory.AddAsync(body!.Name, body.Roles, body.DisplayName, body.OidcSubject, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return result.Error is { } error
            ? OperatorProblems.Result(error)
            : TypedResults.Created("/v1/operators/" + result.Value!.Name, OperatorView.From(result.Value));
    }

    private static async Task<IResult> ListAsync(OperatorDirectory directory, CancellationToken cancellationToken)
    {
        var list = await directory.ListAsync(cancellationToken);
        return TypedResults.Ok(new { operators = list.Select(OperatorView.From).ToList() });
    }

    private static async Task<IResult> GetAsync(string name, HttpContext context, OperatorDirectory directory, CancellationToken cancellationToken)
    {
        if (Refused(context, name) is { } forbidden)
        {
            return forbidden;
        }

        var account = await directory.GetAsync(name, cancellationToken);
        return account is null
            ? OperatorProblems.Result(new OperatorError(OperatorErrorCodes.NotFound, $"There is no operator '{Shorten(name)}'."))
            : TypedResults.Ok(OperatorView.From(account));
    }

    private static async Task<IResult> SetEnabledAsync(string name, bool enabled, HttpContext context, OperatorDirectory directory, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<OperatorReasonRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (problem is not null)
        {
            return problem;
        }

        var result = await directory.SetEnabledAsync(name, enabled, body?.Reason, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return result.Error is { } error ? OperatorProblems.Result(error) : TypedResults.Ok(OperatorView.From(result.Value!));
    }

    private static async Task<IResult> SetRolesAsync(string name, HttpContext context, OperatorDirectory directory, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<SetOperatorRolesRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework);
        if (problem is not null)
        {
            return problem;
        }

        var result = await directory.SetRolesAsync(name, body!.Roles, body.Reason, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return result.Error is { } error ? OperatorProblems.Result(error) : TypedResults.Ok(OperatorView.From(result.Value!));
    }

    private static async Task<IResult> ListTokensAsync(string name, HttpContext context, OperatorDirectory directory, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Refused(context, name) is { } forbidden)
        {
            return forbidden;
        }

        var result = await directory.ListTokensAsync(name, cancellationToken);
        if (result.Error is { } error)
        {
            return OperatorProblems.Result(error);
        }

        var now = time.GetUtcNow();
        return TypedResults.Ok(new { tokens = result.Value!.Select(t => OperatorTokenView.From(t, now)).ToList() });
    }

    private static async Task<IResult> CreateTokenAsync(string name, HttpContext context, OperatorDirectory directory, CancellationToken cancellationToken)
    {
        if (Refused(context, name) is { } forbidden)
        {
            return forbidden;
        }

        var (body, problem) = await JsonBody.ReadAsync<CreateOperatorTokenRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (problem is not null)
        {
            return problem;
        }

        if (Ttl(body?.TtlSeconds, out var ttl) is { } ttlProblem)
        {
            return ttlProblem;
        }

        var result = await directory.CreateTokenAsync(name, body?.Label, ttl, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return result.Error is { } error
            ? OperatorProblems.Result(error)
            : TypedResults.Created($"/v1/operators/{result.Value!.Operator.Name}/tokens", IssuedOperatorTokenView.From(result.Value));
    }

    private static async Task<IResult> RotateTokenAsync(string name, string id, HttpContext context, OperatorDirectory directory, CancellationToken cancellationToken)
    {
        if (Refused(context, name) is { } forbidden)
        {
            return forbidden;
        }

        var (body, problem) = await JsonBody.ReadAsync<CreateOperatorTokenRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (problem is not null)
        {
            return problem;
        }

        if (Ttl(body?.TtlSeconds, out var ttl) is { } ttlProblem)
        {
            return ttlProblem;
        }

        var result = await directory.RotateTokenAsync(name, id, ttl, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return result.Error is { } error
            ? OperatorProblems.Result(error)
            : TypedResults.Created($"/v1/operators/{result.Value!.Operator.Name}/tokens", IssuedOperatorTokenView.From(result.Value));
    }

    private static async Task<IResult> RevokeTokenAsync(string name, string id, bool readBody, HttpContext context, OperatorDirectory directory, CancellationToken cancellationToken)
    {
        if (Refused(context, name) is { } forbidden)
        {
            return forbidden;
        }

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

        var result = await directory.RevokeTokenAsync(name, id, reason, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return result.Error is { } error
            ? OperatorProblems.Result(error)
            : TypedResults.Ok(OperatorTokenView.From(result.Value!, result.Value!.RevokedAt!.Value));
    }

    private static async Task<IResult> SignInAsync(HttpContext context, OperatorSignIn signIn, AuthenticationFailureAudit failures, AuthenticationFailureLimit limit, CancellationToken cancellationToken)
    {
        // The body carries the credential, so the failure limit's header check does not see it: checked here.
        if (limit.Exhausted(context) is { } limited)
        {
            return limited;
        }

        var (body, problem) = await JsonBody.ReadAsync<OperatorSignInRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (problem is not null)
        {
            return problem;
        }

        var result = await signIn.SignInAsync(body?.IdToken, context.TraceIdentifier, cancellationToken);
        if (result.Error is { } error)
        {
            if (error.Code == OperatorErrorCodes.SignInRefused)
            {
                await failures.RecordAsync(context, "operator.authentication_failed", "oidc sign-in: " + error.Message);
            }

            return OperatorProblems.Result(error);
        }

        return TypedResults.Ok(IssuedOperatorTokenView.From(result.Value!));
    }

    /// <summary>403 unless the caller is an admin or the operator <paramref name="name"/> themself.</summary>
    private static IResult? Refused(HttpContext context, string name)
    {
        var acting = context.ActingOperator();
        if (acting is null || acting.Holds(OperatorRole.Admin) || string.Equals(acting.Name, name, StringComparison.Ordinal))
        {
            return null;
        }

        return OperatorForbiddenHandler.Result(acting, OperatorRole.Admin);
    }

    private static IResult? Ttl(long? seconds, out TimeSpan? ttl)
    {
        ttl = null;
        if (seconds is null)
        {
            return null;
        }

        if (seconds is <= 0 or > 100L * 365 * 24 * 3600)
        {
            return Problems.Problem.BadRequest("ttl_seconds: must be positive.", Problems.ProblemTypes.OperatorInvalid);
        }

        ttl = TimeSpan.FromSeconds(seconds.Value);
        return null;
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
