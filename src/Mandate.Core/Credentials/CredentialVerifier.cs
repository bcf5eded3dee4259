using Mandate.Core.Delegation;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Credentials;

/// <summary>The <see cref="ICredentialVerifier"/> over Mandate's key ring, revocation set, DPoP and use recording.</summary>
internal sealed class CredentialVerifier(
    TokenValidator validator,
    DpopProofValidator dpop,
    CredentialUseRecorder uses,
    TokenReuseDetector reuse,
    IOptionsMonitor<TokenExchangeOptions> options,
    TimeProvider time) : ICredentialVerifier
{
    public ValueTask<CredentialVerification> VerifyAsync(string token, CancellationToken ct) =>
        VerifyAsync(new CredentialPresentation(token), ct);

    public async ValueTask<CredentialVerification> VerifyAsync(CredentialPresentation presentation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(presentation);
        var result = await validator.ValidateAsync(presentation.Token, acceptedAudiences: presentation.AddressedToMandate ? validator.OwnAudiences : null, maxChainDepth: Math.Max(options.CurrentValue.MaxChainDepth, 16)).ConfigureAwait(false);
        if (!result.IsValid)
        {
            if (result.GenuineButDead is { IsMandateIssued: true } dead)
            {
                await reuse.RaiseAsync(dead, result.Failure, "verify", presentation.Source, null, ct).ConfigureAwait(false);
            }

            return CredentialVerification.Failure(result.Description ?? "the credential is not valid");
        }

        var token = result.Token!;
        if (!token.IsMandateIssued)
        {
            return CredentialVerification.Failure("the credential was not issued by Mandate");
        }

        if (token.Jti is null)
        {
            return CredentialVerification.Failure("the credential has no jti");
        }

        if (token.Confirmation is { } cnf && await CheckPossessionAsync(cnf, presentation).ConfigureAwait(false) is { } possessionError)
        {
            return CredentialVerification.Failure(possessionError);
        }

        if (presentation.RecordUse)
        {
            uses.Record(token.Jti, token.Subject, token.TaskId, time.GetUtcNow(), presentation.Source);
        }

        return CredentialVerification.Success(new VerifiedCredential
        {
            Jti = token.Jti,
            Subject = token.Subject,
            Kind = token.Kind ?? CredentialKinds.Svid,
            TaskId = token.TaskId,
            Scopes = token.Scopes,
            Audiences = token.Audiences,
            IssuedAt = token.IssuedAt ?? token.NotBefore ?? token.ExpiresAt,
            ExpiresAt = token.ExpiresAt,
            Chain = token.Chain.Subjects,
            Intent = token.Intent,
            ProofOfPossession = token.Confirmation,
            Lineage = token.Lineage,
        });
    }

    private async Task<string?> CheckPossessionAsync(ProofOfPossession cnf, CredentialPresentation presentation)
    {
        if (cnf.Method == ProofOfPossession.Methods.X509)
        {
            return string.Equals(presentation.ClientCertificateThumbprint, cnf.Thumbprint, StringComparison.Ordinal)
                ? null
                : "the credential is bound to an X.509 certificate that was not presented";
        }

        if (presentation.DpopProof is null || presentation.HttpMethod is null || presentation.HttpUri is null)
        {
            return "the credential is DPoP-bound: present it with a DPoP proof";
        }

        var proof = await dpop.ValidateAsync(presentation.DpopProof, presentation.HttpMethod, presentation.HttpUri, presentation.Token).ConfigureAwait(false);
        if (!proof.Valid)
        {
            return proof.Error;
        }

        return string.Equals(proof.Thumbprint, cnf.Thumbprint, StringComparison.Ordinal)
            ? null
            : "the DPoP proof is signed by a key other than the one the credential is bound to";
    }
}
