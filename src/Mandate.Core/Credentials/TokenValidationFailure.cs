namespace Mandate.Core.Credentials;

/// <summary>Why a token was refused; <see cref="Expired"/> and <see cref="Revoked"/> on a Mandate token mean it was presented again after its end.</summary>
internal enum TokenValidationFailure
{
    None,
    Malformed,
    UntrustedIssuer,
    BadSignature,
    Expired,
    NotYetValid,
    WrongAudience,
    Revoked,

    /// <summary>An identity the token names (subject, an actor of its chain, or its client) is no longer active.</summary>
    IdentityInactive,
}
