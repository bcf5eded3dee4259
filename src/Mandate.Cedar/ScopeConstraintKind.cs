namespace Mandate.Cedar;

/// <summary>How a policy's principal or resource scope is constrained.</summary>
public enum ScopeConstraintKind
{
    /// <summary><c>principal</c> or <c>resource</c> alone: any entity.</summary>
    Any,

    /// <summary><c>== E</c>: one entity.</summary>
    Equal,

    /// <summary><c>in E</c>: an entity and its descendants.</summary>
    In,

    /// <summary><c>is T</c>: any entity of one type.</summary>
    Is,

    /// <summary><c>is T in E</c>: entities of one type among an entity's descendants.</summary>
    IsIn,
}
