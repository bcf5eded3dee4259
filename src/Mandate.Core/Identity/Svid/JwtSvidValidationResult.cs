namespace Mandate.Core.Identity.Svid;

/// <summary>The outcome of validating a JWT-SVID: the SVID, or the stable code and message of the first failed check.</summary>
internal sealed record JwtSvidValidationResult(JwtSvid? Svid, IdentityError? Error)
{
    public bool IsValid => Svid is not null;

    /// <summary>
    /// A genuine SVID of ours refused only because it expired, was revoked or its identity is no longer active: a dead
    /// credential presented again, which the ledger records for detection.
    /// </summary>
    public JwtSvid? Dead { get; init; }

    public static JwtSvidValidationResult Fail(string code, string message) => new(null, new IdentityError(code, message));
}
