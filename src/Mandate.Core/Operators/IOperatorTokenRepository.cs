namespace Mandate.Core.Operators;

/// <summary>Stored operator tokens (hashes only).</summary>
internal interface IOperatorTokenRepository
{
    Task InsertAsync(OperatorToken token, CancellationToken cancellationToken);

    Task<OperatorToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken);

    Task<OperatorToken?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>The operator's tokens, newest first; revoked and expired ones too.</summary>
    Task<IReadOnlyList<OperatorToken>> ListAsync(string operatorName, CancellationToken cancellationToken);

    /// <summary>Marks the token revoked; false when it was revoked already (or does not exist).</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset now, string revokedBy, string? reason, CancellationToken cancellationToken);
}
