using Mandate.Cedar;
using Mandate.Core.Credentials;
using Mandate.Core.Tasks;

namespace Mandate.Core.Decisions;

/// <summary>
/// Verifies <c>context.credential</c> with the tasks feature's <see cref="ICredentialVerifier"/> (signature, expiry,
/// revocation of the credential and its lineage, proof of possession), then checks that it belongs to this request:
/// the subject is the credential's subject or its current actor, and its scope and task intent cover the action and the
/// resource (<see cref="CredentialRights"/>); it must be addressed to Mandate, and a DPoP-bound credential needs the
/// PEP's <see cref="CredentialProof"/>. What the credential says becomes <c>context.credential</c>, <c>context.task</c>,
/// <c>context.chain</c> and <c>context.chain_depth</c>.
/// </summary>
internal sealed class TaskCredentialContextVerifier(ICredentialVerifier verifier) : ICredentialContextVerifier
{
    public async ValueTask<CredentialContext> VerifyAsync(string token, CredentialProof? proof, string? destination, EntityUid principal, EntityUid action, EntityUid resource, AuthZenCall call, CancellationToken cancellationToken)
    {
        var (credential, refused) = await PresentAsync(token, proof, principal, call, cancellationToken).ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        if (CredentialRights.Refusal(credential!, action, resource, destination) is { } outside)
        {
            // The task is named so the ledger (and detection's beyond_task_scope) ties the refusal to it.
            return CredentialContext.Invalid(outside.Code, outside.Description, credential!.Jti, credential.TaskId);
        }

        return Verified(credential!);
    }

    public async ValueTask<CredentialContext> CheckAsync(string token, CredentialProof? proof, EntityUid principal, AuthZenCall call, CancellationToken cancellationToken)
    {
        var (credential, refused) = await PresentAsync(token, proof, principal, call, cancellationToken).ConfigureAwait(false);
        return refused ?? Verified(credential!);
    }

    /// <summary>The verified credential (once per call), or why it is refused: dead, forged, or someone else's.</summary>
    private async ValueTask<(VerifiedCredential? Credential, CredentialContext? Refused)> PresentAsync(
        string token, CredentialProof? proof, EntityUid principal, AuthZenCall call, CancellationToken cancellationToken)
    {
        var presentation = new CredentialPresentation(token)
        {
            Source = call.UseSource,
            AddressedToMandate = true,
            DpopProof = proof?.Dpop,
            HttpMethod = proof?.Method,
            HttpUri = proof?.Uri,
        };
        var verification = await call.Presented.VerifyOnceAsync(presentation, verifier.VerifyAsync, cancellationToken).ConfigureAwait(false);
        if (!verification.Valid || verification.Credential is not { } credential)
        {
            return (null, CredentialContext.Invalid(verification.Error ?? "invalid_token", verification.Description ?? "The credential did not verify."));
        }

        if (principal.Id != credential.Subject && principal.Id != credential.Holder)
        {
            return (null, CredentialContext.Invalid(
                "subject_mismatch",
                "The request's subject is neither the credential's subject nor its current actor.",
                credential.Jti));
        }

        return (credential, null);
    }

    private static CredentialContext Verified(VerifiedCredential credential)
    {
        var members = new Dictionary<string, CedarValue>(StringComparer.Ordinal)
        {
            ["credential"] = CedarValue.Record(
            [
                new("kind", CedarValue.String(credential.Kind)),
                new("subject", CedarValue.String(credential.Subject)),
                new("holder", CedarValue.String(credential.Holder)),
                new("scopes", CedarValue.Set(credential.Scopes.Select(CedarValue.String))),
            ]),
            ["chain"] = CedarValue.Set(credential.Chain.Select(CedarValue.String)),
            ["chain_depth"] = CedarValue.Long(credential.Chain.Count),
        };
        if (credential.Intent is { } scope)
        {
            var task = new List<KeyValuePair<string, CedarValue>>
            {
                new("actions", CedarValue.Set(scope.Actions.Select(CedarValue.String))),
                new("resources", CedarValue.Set(scope.Resources.Select(CedarValue.String))),
                new("sensitivity_ceiling", CedarValue.String(scope.SensitivityCeiling.ToName())),
                new("sensitivity_ceiling_level", CedarValue.Long((long)scope.SensitivityCeiling)),
                new("destinations", CedarValue.Set(scope.Destinations.Select(CedarValue.String))),
            };
            if (credential.TaskId is { } taskId)
            {
                task.Add(new("id", CedarValue.String(taskId)));
            }

            members["task"] = CedarValue.Record(task);
        }

        return new CredentialContext(true, null, null, credential.Jti, credential.TaskId, credential.Chain, members);
    }
}
