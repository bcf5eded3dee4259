using Mandate.Core.Credentials;

namespace Mandate.Core.Decisions;

/// <summary>
/// The credentials presented within one call to the decision point, each verified once. A DPoP proof protects one HTTP
/// request (RFC 9449): when an enforcement point asks several questions for that one request (a batch, or which tools
/// of a list its caller may call), the proof is checked once and its <c>jti</c> remembered once, instead of the second
/// question failing as a replay. One instance per <see cref="AuthZenCall"/>; the questions of a call are answered in
/// order, and the lock only guards against a caller that does not.
/// </summary>
internal sealed class PresentedCredentials
{
    private readonly Lock gate = new();
    private Dictionary<(string Token, string? Dpop, string? Method, string? Uri), CredentialVerification>? verified;

    public async ValueTask<CredentialVerification> VerifyOnceAsync(
        CredentialPresentation presentation, Func<CredentialPresentation, CancellationToken, ValueTask<CredentialVerification>> verify, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(presentation);
        ArgumentNullException.ThrowIfNull(verify);
        var key = (presentation.Token, presentation.DpopProof, presentation.HttpMethod, presentation.HttpUri);
        lock (gate)
        {
            if (verified is not null && verified.TryGetValue(key, out var known))
            {
                return known;
            }
        }

        var result = await verify(presentation, cancellationToken).ConfigureAwait(false);
        lock (gate)
        {
            verified ??= new(1);
            verified.TryAdd(key, result);
        }

        return result;
    }
}
