namespace Mandate.Cedar;

/// <summary>
/// The shape of one policy: how its principal, action and resource scopes are constrained and which request variables
/// its conditions read. Made by <see cref="PermissionAnalyzer.DescribeScope"/>.
/// </summary>
public sealed class PolicyScopeSummary
{
    internal PolicyScopeSummary(
        ScopeConstraintKind principalKind,
        EntityUid? principalEntity,
        string? principalType,
        IReadOnlyList<EntityUid> actions,
        ScopeConstraintKind resourceKind,
        EntityUid? resourceEntity,
        string? resourceType,
        bool conditionsReadPrincipal,
        bool conditionsReadResource,
        bool conditionsReadContext)
    {
        PrincipalKind = principalKind;
        PrincipalEntity = principalEntity;
        PrincipalType = principalType;
        Actions = actions;
        ResourceKind = resourceKind;
        ResourceEntity = resourceEntity;
        ResourceType = resourceType;
        ConditionsReadPrincipal = conditionsReadPrincipal;
        ConditionsReadResource = conditionsReadResource;
        ConditionsReadContext = conditionsReadContext;
    }

    /// <summary>How the principal scope is constrained.</summary>
    public ScopeConstraintKind PrincipalKind { get; }

    /// <summary>The entity named by <c>principal == E</c> or <c>principal in E</c>, if any.</summary>
    public EntityUid? PrincipalEntity { get; }

    /// <summary>The type named by <c>principal is T</c>, if any.</summary>
    public string? PrincipalType { get; }

    /// <summary>The actions the action scope names (empty when it is unconstrained: every action).</summary>
    public IReadOnlyList<EntityUid> Actions { get; }

    /// <summary>True when the action scope is unconstrained.</summary>
    public bool AnyAction => Actions.Count == 0;

    /// <summary>How the resource scope is constrained.</summary>
    public ScopeConstraintKind ResourceKind { get; }

    /// <summary>The entity named by <c>resource == E</c> or <c>resource in E</c>, if any.</summary>
    public EntityUid? ResourceEntity { get; }

    /// <summary>The type named by <c>resource is T</c>, if any.</summary>
    public string? ResourceType { get; }

    /// <summary>True when a <c>when</c> or <c>unless</c> condition reads <c>principal</c>.</summary>
    public bool ConditionsReadPrincipal { get; }

    /// <summary>True when a <c>when</c> or <c>unless</c> condition reads <c>resource</c>.</summary>
    public bool ConditionsReadResource { get; }

    /// <summary>True when a <c>when</c> or <c>unless</c> condition reads <c>context</c>.</summary>
    public bool ConditionsReadContext { get; }
}
