namespace Mandate.Core.Operators;

/// <summary>Stored operators.</summary>
internal interface IOperatorRepository
{
    /// <summary>Inserts; false when an operator of that name (or with that OIDC subject) exists.</summary>
    Task<bool> InsertAsync(OperatorAccount account, CancellationToken cancellationToken);

    Task<OperatorAccount?> GetAsync(string name, CancellationToken cancellationToken);

    Task<OperatorAccount?> FindByOidcSubjectAsync(string subject, CancellationToken cancellationToken);

    /// <summary>Every operator, by name.</summary>
    Task<IReadOnlyList<OperatorAccount>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Compare-and-set of the enabled flag; false when it already had the value (or the operator does not exist).</summary>
    Task<bool> SetEnabledAsync(string name, bool enabled, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Replaces the operator's roles; false when the operator does not exist.</summary>
    Task<bool> SetRolesAsync(string name, IReadOnlyList<OperatorRole> roles, DateTimeOffset now, CancellationToken cancellationToken);
}
