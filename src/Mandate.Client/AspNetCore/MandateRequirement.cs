using Microsoft.AspNetCore.Authorization;

namespace Mandate.Client.AspNetCore;

/// <summary>
/// "The PDP must allow <see cref="Action"/> on this endpoint's resource." The resource is
/// <c>{type: ResourceType, id: the endpoint's route template}</c> unless a <see cref="MandateEnforcementOptions.ResourceResolver"/> says otherwise.
/// </summary>
public sealed class MandateRequirement(string action, string resourceType = "route") : IAuthorizationRequirement
{
    public string Action { get; } = action;

    public string ResourceType { get; } = resourceType;
}
