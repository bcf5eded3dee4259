namespace Mandate.Core.Credentials;

/// <summary>
/// Validates a JWT presented as client authentication (RFC 7523 <c>client_assertion</c>): a JWT-SVID signed by Mandate
/// or by a trusted issuer, addressed to this server, live and not revoked. Task credentials and exchanged tokens are
/// not client credentials and are refused.
/// </summary>
internal sealed class TokenAssertionValidator
{
    private readonly TokenValidator validator;

    internal TokenAssertionValidator(TokenValidator validator) => this.validator = validator;

    public async Task<(string? Subject, string? Error)> ValidateAsync(string assertion)
    {
        var result = await validator.ValidateAsync(assertion, validator.OwnAudiences, maxChainDepth: 1).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return (null, result.Description);
        }

        var token = result.Token!;
        if (token.IsMandateIssued && token.Kind is not CredentialKinds.Svid)
        {
            return (null, $"a {token.Kind} credential is not a client credential");
        }

        if (token.Confirmation is not null)
        {
            // A bound token is worth nothing without the proof of its key, and a client assertion carries none.
            return (null, "a token bound to a key (cnf) is not a client assertion: its proof of possession cannot be checked here");
        }

        return token.Chain.Depth > 0 ? (null, "a delegated token is not a client credential") : (token.Subject, null);
    }
}
