using System.Security.Claims;
using Mandate.Protocol.AuthZen;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Client.AspNetCore;

/// <summary>
/// Asks the PDP for each <see cref="MandateRequirement"/>. Allowed → the requirement succeeds; denied, no subject, or
/// the PDP unreachable → it fails (fail closed) unless <see cref="MandateClientOptions.FailOpen"/> is set.
/// </summary>
internal sealed partial class MandateAuthorizationHandler(
    IAuthZenClient client,
    IHttpContextAccessor accessor,
    IOptions<MandateClientOptions> clientOptions,
    IOptions<MandateEnforcementOptions> enforcementOptions,
    ILogger<MandateAuthorizationHandler> logger) : AuthorizationHandler<MandateRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, MandateRequirement requirement)
    {
        var http = context.Resource as HttpContext ?? accessor.HttpContext;
        if (http is null)
        {
            return;
        }

        var enforcement = enforcementOptions.Value;
        var subject = enforcement.SubjectResolver is { } resolveSubject ? resolveSubject(context.User) : DefaultSubject(context.User);
        if (subject is null)
        {
            context.Fail(new AuthorizationFailureReason(this, "no subject to ask the PDP about"));
            return;
        }

        var request = new EvaluationRequest
        {
            Subject = subject,
            Action = new AuthZenAction(requirement.Action),
            Resource = enforcement.ResourceResolver is { } resolveResource ? resolveResource(http, requirement) : DefaultResource(http, requirement),
            Context = enforcement.ContextResolver?.Invoke(http),
        };

        try
        {
            var decision = await client.EvaluateAsync(request, http.RequestAborted).ConfigureAwait(false);
            if (decision.Decision)
            {
                context.Succeed(requirement);
            }
            else
            {
                context.Fail(new AuthorizationFailureReason(this, $"the PDP denied {requirement.Action}"));
            }
        }
        catch (MandateUnavailableException e)
        {
            LogUnavailable(logger, e, requirement.Action, clientOptions.Value.FailOpen);
            if (clientOptions.Value.FailOpen)
            {
                context.Succeed(requirement);
            }
            else
            {
                context.Fail(new AuthorizationFailureReason(this, "the PDP is unavailable (fail closed)"));
            }
        }
    }

    private AuthZenEntity? DefaultSubject(ClaimsPrincipal user)
    {
        var options = clientOptions.Value;
        var id = user.FindFirst(options.SubjectClaim)?.Value
            ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value
            ?? user.Identity?.Name;
        return user.Identity?.IsAuthenticated == true && !string.IsNullOrEmpty(id) ? new AuthZenEntity(options.SubjectType, id) : null;
    }

    private static AuthZenEntity DefaultResource(HttpContext http, MandateRequirement requirement)
    {
        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value ?? "/";
        return new AuthZenEntity(requirement.ResourceType, route.StartsWith('/') ? route : "/" + route);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Mandate PDP unavailable while authorizing {Action}; failing {Mode}")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string action, bool mode);
}
