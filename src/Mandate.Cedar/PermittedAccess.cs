namespace Mandate.Cedar;

/// <summary>An action on a resource type that policies may permit a principal, with the permit policies that grant it.</summary>
public sealed class PermittedAccess
{
    internal PermittedAccess(EntityUid action, string resourceType, IReadOnlyList<string> policyIds)
    {
        Action = action;
        ResourceType = resourceType;
        PolicyIds = policyIds;
    }

    /// <summary>The schema action.</summary>
    public EntityUid Action { get; }

    /// <summary>The resource entity type (one the action applies to in the schema).</summary>
    public string ResourceType { get; }

    /// <summary>The ids of the permit policies that may permit it, in policy set order.</summary>
    public IReadOnlyList<string> PolicyIds { get; }
}
