using Microsoft.AspNetCore.Authorization;

namespace Mandate.Client.AspNetCore;

/// <summary>
/// "The PDP must allow <see cref="Action"/> on this endpoint's resource." The resource is
/// <c>{type: ResourceType, id: the endpoint's route template}</c> unless a <see cref="MandateEnforcementOptions.ResourceResolver"/> says otherwise.
/// </summary>
/// <param name="action">The AuthZEN action the PDP is asked about (for example <c>GET</c> or <c>todo.delete</c>).</param>
/// <param name="resourceType">The AuthZEN type of the resource.</param>
public sealed class MandateRequirement(string action, string resourceType = "route") : IAuthorizationRequirement
{
    /// <summary>The AuthZEN action the PDP must allow.</summary>
    public string Action { get; } = action;

    /// <summary>The AuthZEN type of the resource (<c>route</c> unless the endpoint says otherwise).</summary>
    public string ResourceType { get; } = resourceType;
}
