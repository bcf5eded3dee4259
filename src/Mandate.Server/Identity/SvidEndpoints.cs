using System.Globalization;
using System.Security.Claims;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Svid;
using Mandate.Core.Identity.X509;
using Mandate.Server.Authentication;
using Mandate.Server.Http;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Identity;

/// <summary>SVID issuance for attested workloads, and JWT-SVID validation for relying parties.</summary>
internal static class SvidEndpoints
{
    /// <summary>Where the CRL of revoked X.509-SVIDs is served (public, like the trust bundle).</summary>
    public const string CrlPath = "/v1/svid/x509/crl";

    public static IEndpointRouteBuilder MapSvidEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/svid/jwt", IssueJwtAsync).RequireAuthorization(AuthorizationPolicies.Workload).DisallowCaching();
        app.MapPost("/v1/svid/x509", IssueX509Async).RequireAuthorization(AuthorizationPolicies.Workload).DisallowCaching();
        app.MapPost("/v1/svid/validate", ValidateAsync).RequireAuthorization(AuthorizationPolicies.Workload).DisallowCaching();
        app.MapGet(CrlPath, CrlAsync).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> IssueJwtAsync(HttpContext context, IdentityRefusals refusals, SvidIssuance issuance, CancellationToken cancellationToken)
    {
        var (request, bodyProblem) = await JsonBody.ReadAsync<JwtSvidRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var caller = SpiffeId.Parse(context.User.FindFirstValue(WorkloadAuthentication.SubjectClaim)!);
        var audiences = request?.Audiences ?? (request?.Audience is { } single ? [single] : []);
        TimeSpan? ttl = request?.TtlSeconds is { } seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds, -1, int.MaxValue)) : null;
        var result = await issuance.IssueJwtAsync(caller, audiences, ttl, caller.Value, "svid-jwt", context.TraceIdentifier, cancellationToken);
        if (result.Error is { } error)
        {
            return await refusals.RejectAsync(context, error, "issue_jwt_svid", caller.Value, cancellationToken: cancellationToken);
        }

        return TypedResults.Ok(JwtSvidResponse.From(result.Svid!));
    }

    private static async Task<IResult> IssueX509Async(HttpContext context, IdentityRefusals refusals, SvidIssuance issuance, IOptions<MandateServerOptions> server, CancellationToken cancellationToken)
    {
        var (request, bodyProblem) = await JsonBody.ReadAsync<X509SvidRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var caller = SpiffeId.Parse(context.User.FindFirstValue(WorkloadAuthentication.SubjectClaim)!);
        TimeSpan? ttl = request?.TtlSeconds is { } seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds, -1, int.MaxValue)) : null;
        // Only a configured public URL goes into a certificate: the listening address may be unreachable for relying parties.
        var crlUrl = server.Value.PublicUrl is { Length: > 0 } publicUrl ? publicUrl.TrimEnd('/') + CrlPath : null;
        var result = await issuance.IssueX509Async(caller, request?.Csr, ttl, caller.Value, context.TraceIdentifier, crlUrl, cancellationToken);
        if (result.Error is { } error)
        {
            return await refusals.RejectAsync(context, error, "issue_x509_svid", caller.Value, cancellationToken: cancellationToken);
        }

        return TypedResults.Ok(X509SvidResponse.From(result.Svid!));
    }

    /// <summary>
    /// The CRL (DER, <c>application/pkix-crl</c>) of revoked X.509-SVIDs not yet expired, signed by the current CA. It
    /// may be cached until a fifth of its validity has passed, so a relying party sees a revocation within minutes.
    /// </summary>
    private static async Task<IResult> CrlAsync(HttpContext context, X509CrlPublisher publisher, CancellationToken cancellationToken)
    {
        var crl = await publisher.GetAsync(cancellationToken);
        var maxAge = Math.Max(1, (long)((crl.NextUpdate - crl.ThisUpdate).TotalSeconds / 5));
        context.Response.Headers.CacheControl = "public, max-age=" + maxAge.ToString(CultureInfo.InvariantCulture);
        return Results.Bytes(crl.Der, "application/pkix-crl");
    }

    private static async Task<IResult> ValidateAsync(HttpContext context, IdentityRefusals refusals, JwtSvidValidator validator, CancellationToken cancellationToken)
    {
        var (request, bodyProblem) = await JsonBody.ReadAsync<JwtSvidValidationRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var caller = context.User.FindFirstValue(WorkloadAuthentication.SubjectClaim)!;
        if (string.IsNullOrEmpty(request?.Token))
        {
            return await refusals.RejectAsync(context, new IdentityError(IdentityErrorCodes.TokenMalformed, "token: required."), "validate_jwt_svid", null, StatusCodes.Status400BadRequest, cancellationToken);
        }

        // The relying party validates tokens meant for itself: its own SPIFFE ID unless it names another audience.
        var audience = string.IsNullOrEmpty(request.Audience) ? caller : request.Audience;
        var result = validator.Validate(request.Token, audience);
        if (result.Error is { } error)
        {
            return await refusals.RejectAsync(context, error, "validate_jwt_svid", null, StatusCodes.Status422UnprocessableEntity, cancellationToken);
        }

        var svid = result.Svid!;
        return TypedResults.Ok(new
        {
            valid = true,
            spiffe_id = svid.Subject.Value,
            audiences = svid.Audiences,
            issuer = svid.Issuer,
            expires_at = svid.ExpiresAt,
            issued_at = svid.IssuedAt,
            jti = svid.Jti,
            kid = svid.Kid,
        });
    }
}
