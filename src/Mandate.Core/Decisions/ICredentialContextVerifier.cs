using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>
/// Verifies the credential a request carries for the decision it is presented to, and says what it adds to the Cedar
/// context. The implementation adapts the credential verifier of the tasks feature.
/// </summary>
internal interface ICredentialContextVerifier
{
    /// <param name="token">The credential (<c>context.credential</c>).</param>
    /// <param name="proof">The PEP's proof of possession (<c>context.credential_proof</c>), when it forwarded one.</param>
    /// <param name="destination">Where the request's data goes (<c>context.destination</c>), when it names one.</param>
    /// <param name="principal">The request's subject.</param>
    /// <param name="action">The request's action.</param>
    /// <param name="resource">The request's resource.</param>
    /// <param name="call">The call presenting it: who presented it (recorded with the use), and the credentials already verified in it.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    ValueTask<CredentialContext> VerifyAsync(string token, CredentialProof? proof, string? destination, EntityUid principal, EntityUid action, EntityUid resource, AuthZenCall call, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the credential is alive and belongs to <paramref name="principal"/> (its subject or current actor),
    /// without any action or resource: what an enforcement point asks before it serves a request that decides nothing
    /// (an MCP <c>initialize</c>). The context members are those <see cref="VerifyAsync"/> would add.
    /// </summary>
    ValueTask<CredentialContext> CheckAsync(string token, CredentialProof? proof, EntityUid principal, AuthZenCall call, CancellationToken cancellationToken);
}

/// <summary>The verdict on a presented credential and the context members it contributes (<c>task</c>, <c>chain</c>, …).</summary>
internal sealed record CredentialContext(
    bool Valid,
    string? Error,
    string? Description,
    string? CredentialId,
    string? TaskId,
    IReadOnlyList<string>? Chain,
    IReadOnlyDictionary<string, CedarValue> ContextMembers)
{
    public static CredentialContext Invalid(string error, string description, string? credentialId = null, string? taskId = null) =>
        new(false, error, description, credentialId, taskId, null, new Dictionary<string, CedarValue>());
}
