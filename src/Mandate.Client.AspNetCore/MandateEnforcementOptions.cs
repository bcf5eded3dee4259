using System.Security.Claims;
using System.Text.Json;
using Mandate.Protocol.AuthZen;
using Microsoft.AspNetCore.Http;

namespace Mandate.Client.AspNetCore;

/// <summary>How the enforcement handler turns an HTTP request into an AuthZEN request.</summary>
public sealed class MandateEnforcementOptions
{
    /// <summary>Builds the subject; default: <see cref="MandateClientOptions.SubjectType"/> and the subject claim. Null denies.</summary>
    public Func<ClaimsPrincipal, AuthZenEntity?>? SubjectResolver { get; set; }

    /// <summary>Builds the resource; default: the requirement's resource type and the endpoint's route template.</summary>
    public Func<HttpContext, MandateRequirement, AuthZenEntity>? ResourceResolver { get; set; }

    /// <summary>Builds the context (for example the caller's task credential); default none.</summary>
    public Func<HttpContext, JsonElement?>? ContextResolver { get; set; }
}
