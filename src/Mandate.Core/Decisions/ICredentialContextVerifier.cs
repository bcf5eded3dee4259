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
    /// <param name="source">Who presented it (the calling enforcement point and its address), recorded with the use.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    ValueTask<CredentialContext> VerifyAsync(string token, CredentialProof? proof, string? destination, EntityUid principal, EntityUid action, EntityUid resource, string source, CancellationToken cancellationToken);
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
