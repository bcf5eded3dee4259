using System.Text.Json;

namespace Mandate.Core.Decisions;

/// <summary>
/// What a PEP forwards in <c>context.credential_proof</c> so that a DPoP-bound credential can be used at the decision
/// point: the <c>DPoP</c> proof it received (RFC 9449) and the method and absolute URI of the request that proof
/// protects. Mandate checks the proof's signature and key against the credential's <c>cnf.jkt</c>, <c>htm</c>,
/// <c>htu</c>, <c>ath</c> (the credential's hash), its age and that its <c>jti</c> was never seen.
/// </summary>
internal sealed record CredentialProof(string Dpop, string Method, string Uri)
{
    /// <summary>The context member a PEP puts the proof in (reserved: never part of the Cedar context).</summary>
    public const string ContextMember = "credential_proof";

    private const int MaxProofLength = 8 * 1024;
    private const int MaxUriLength = 2048;

    /// <summary>Reads <c>context.credential_proof</c>: null when absent, else an object <c>{dpop, htm, htu}</c> of strings.</summary>
    /// <exception cref="AuthZenRequestException">The member is present but not of that shape.</exception>
    public static CredentialProof? Read(JsonElement context)
    {
        if (context.ValueKind != JsonValueKind.Object || !context.TryGetProperty(ContextMember, out var proof) || proof.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (proof.ValueKind != JsonValueKind.Object
            || String(proof, "dpop", MaxProofLength) is not { } dpop
            || String(proof, "htm", 16) is not { } method
            || String(proof, "htu", MaxUriLength) is not { } uri
            || !System.Uri.TryCreate(uri, UriKind.Absolute, out _))
        {
            throw new AuthZenRequestException(
                $"context.{ContextMember} must be an object with dpop (the DPoP proof), htm (the protected request's method) and htu (its absolute URI).");
        }

        return new CredentialProof(dpop, method, uri);
    }

    private static string? String(JsonElement element, string name, int maxLength) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text && text.Length <= maxLength
            ? text
            : null;
}
