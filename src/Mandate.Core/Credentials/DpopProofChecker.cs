namespace Mandate.Core.Credentials;

/// <summary>Checks DPoP proofs sent to Mandate's own endpoints (task open, token exchange) and yields the key thumbprint.</summary>
internal sealed class DpopProofChecker
{
    private readonly DpopProofValidator validator;

    internal DpopProofChecker(DpopProofValidator validator) => this.validator = validator;

    /// <summary>The proof's key thumbprint, or an error describing why the proof is refused.</summary>
    public async Task<(string? Thumbprint, string? Error)> CheckAsync(string proof, string method, string uri, string? accessToken)
    {
        var result = await validator.ValidateAsync(proof, method, uri, accessToken).ConfigureAwait(false);
        return (result.Thumbprint, result.Error);
    }
}
