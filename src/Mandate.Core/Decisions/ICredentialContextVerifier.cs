using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>
/// Verifies the credential a request carries for the decision it is presented to, and says what it adds to the Cedar
/// context. The implementation adapts the credential verifier of the tasks feature.
/// </summary>
internal interface ICredentialContextVerifier
{
    ValueTask<CredentialContext> VerifyAsync(string token, EntityUid principal, EntityUid action, EntityUid resource, CancellationToken cancellationToken);
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
    public static CredentialContext Invalid(string error, string description, string? credentialId = null) =>
        new(false, error, description, credentialId, null, null, new Dictionary<string, CedarValue>());
}
