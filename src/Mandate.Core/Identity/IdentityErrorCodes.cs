namespace Mandate.Core.Identity;

/// <summary>
/// Stable codes for every identity error; the server uses each as the last segment of the problem-details <c>type</c>
/// (listed in docs/errors.md). Messages never carry a token or key.
/// </summary>
internal static class IdentityErrorCodes
{
    // Tokens (JWT-SVIDs and platform tokens)
    public const string TokenMalformed = "token-malformed";
    public const string TokenTooLarge = "token-too-large";
    public const string TokenAlgorithmRefused = "token-algorithm-refused";
    public const string TokenUnknownKey = "token-unknown-key";
    public const string TokenSignatureInvalid = "token-signature-invalid";
    public const string TokenExpired = "token-expired";
    public const string TokenNotYetValid = "token-not-yet-valid";
    public const string TokenAudienceMismatch = "token-audience-mismatch";
    public const string TokenIssuerMismatch = "token-issuer-mismatch";
    public const string TokenSubjectInvalid = "token-subject-invalid";
    public const string TokenRevoked = "token-revoked";

    // Inventory
    public const string InvalidSpiffeId = "invalid-spiffe-id";
    public const string IdentityUnknown = "identity-unknown";
    public const string IdentityInactive = "identity-inactive";
    public const string IdentityExists = "identity-exists";
    public const string IdentityInvalid = "identity-invalid";
    public const string IdentityLifetimeExceeded = "identity-lifetime-exceeded";
    public const string IdentityTransitionRefused = "identity-transition-refused";

    // SVID issuance
    public const string SvidTtlExceeded = "svid-ttl-exceeded";
    public const string SvidAudienceRequired = "svid-audience-required";
    public const string CsrMalformed = "csr-malformed";
    public const string CsrSignatureInvalid = "csr-signature-invalid";
    public const string CsrExtraSan = "csr-extra-san";
    public const string CsrCaRequested = "csr-ca-requested";
    public const string CsrKeyRefused = "csr-key-refused";

    // Attestation
    public const string AttestationIssuerUntrusted = "attestation-issuer-untrusted";
    public const string AttestationNoRuleMatched = "attestation-no-rule-matched";
    public const string AttestationIssuerUnavailable = "attestation-issuer-unavailable";
    public const string AttestationTokenReplayed = "attestation-token-replayed";
    public const string JoinTokenInvalid = "join-token-invalid";
}
