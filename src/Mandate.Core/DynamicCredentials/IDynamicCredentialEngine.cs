namespace Mandate.Core.DynamicCredentials;

/// <summary>
/// A downstream system Mandate mints short-lived credentials in for a task (PostgreSQL roles first; an HTTP API key
/// issuer or a cloud STS can follow): create one that ends with the task, and remove it when the task ends.
/// </summary>
internal interface IDynamicCredentialEngine
{
    /// <summary>The configured engine name (<c>Mandate:DynamicCredentials:Engines:&lt;name&gt;</c>).</summary>
    string Name { get; }

    /// <summary>The engine kind (<c>postgresql</c>).</summary>
    string Kind { get; }

    /// <summary>The longest a credential of this engine may live, whatever the task's lease.</summary>
    TimeSpan MaxTtl { get; }

    /// <summary>
    /// A fresh handle (the downstream user name) for a credential of <paramref name="taskId"/>: chosen before anything is
    /// created downstream, so that the lease record names it even if creating it fails half-way.
    /// </summary>
    string NewUsername(string taskId);

    /// <summary>Creates the credential downstream; returns its secret, which the caller hands out once and never keeps.</summary>
    Task<DynamicCredentialSecret> IssueAsync(DynamicCredentialRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the credential downstream and ends its sessions. Idempotent: a credential that is already gone (or was never
    /// created) is success. Throws when the downstream system cannot be reached or refuses; the caller retries.
    /// </summary>
    Task RevokeAsync(string username, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the end of an issued credential to <paramref name="expiresAt"/> (its task was renewed); the password and
    /// open sessions stay. Throws when the downstream system cannot be reached, refuses, or no longer has the credential;
    /// the caller retries.
    /// </summary>
    Task ExtendAsync(string username, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
