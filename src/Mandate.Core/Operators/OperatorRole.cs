namespace Mandate.Core.Operators;

/// <summary>What a named operator may do. An operator holds one or more roles; see <see cref="OperatorRoles.Satisfies"/>.</summary>
internal enum OperatorRole
{
    /// <summary>Read-only: audit, inventory, policies, status.</summary>
    Auditor,

    /// <summary>Certifies or revokes access in reviews (and reads).</summary>
    Reviewer,

    /// <summary>Approves requests made by someone else (and reads).</summary>
    Approver,

    /// <summary>Policies, revocations, suspensions, PEP credentials, exceptions and responses (and reads).</summary>
    Security,

    /// <summary>Everything, operators included.</summary>
    Admin,
}
