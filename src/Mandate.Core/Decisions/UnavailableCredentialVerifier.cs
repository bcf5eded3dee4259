using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>Used when no credential verifier is registered: a presented credential cannot be checked, so it denies (fail closed).</summary>
internal sealed class UnavailableCredentialVerifier : ICredentialContextVerifier
{
    public ValueTask<CredentialContext> VerifyAsync(string token, CredentialProof? proof, string? destination, EntityUid principal, EntityUid action, EntityUid resource, AuthZenCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Unverifiable());

    public ValueTask<CredentialContext> CheckAsync(string token, CredentialProof? proof, EntityUid principal, AuthZenCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Unverifiable());

    private static CredentialContext Unverifiable() =>
        CredentialContext.Invalid("credential_unverifiable", "This server has no credential verifier; a request carrying a credential is denied.");
}
