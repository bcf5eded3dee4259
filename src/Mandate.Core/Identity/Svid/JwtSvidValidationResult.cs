namespace Mandate.Core.Identity.Svid;

/// <summary>The outcome of validating a JWT-SVID: the SVID, or the stable code and message of the first failed check.</summary>
internal sealed record JwtSvidValidationResult(JwtSvid? Svid, IdentityError? Error)
{
    public bool IsValid => Svid is not null;

    public static JwtSvidValidationResult Fail(string code, string message) => new(null, new IdentityError(code, message));
}
