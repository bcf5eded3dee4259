namespace Mandate.Core.Credentials;

internal sealed record TokenValidationResult(ValidatedToken? Token, TokenValidationFailure Failure, string? Description)
{
    public bool IsValid => Failure == TokenValidationFailure.None && Token is not null;

    /// <summary>The claims of a token that failed only on lifetime or revocation (known to be genuine), for the detection event.</summary>
    public ValidatedToken? GenuineButDead { get; init; }

    public static TokenValidationResult Fail(TokenValidationFailure failure, string description) => new(null, failure, description);
}
