using Mandate.Core.Identity;

namespace Mandate.Server.Identity;

/// <summary>The status and title of an identity error's problem details (type = the error's stable code); <see cref="IdentityRefusals"/> audits and answers.</summary>
internal static class IdentityProblems
{
    public static int Status(string code) => code switch
    {
        IdentityErrorCodes.IdentityUnknown => StatusCodes.Status404NotFound,
        IdentityErrorCodes.IdentityExists or IdentityErrorCodes.IdentityTransitionRefused => StatusCodes.Status409Conflict,
        IdentityErrorCodes.IdentityInactive or IdentityErrorCodes.AttestationNoRuleMatched => StatusCodes.Status403Forbidden,
        IdentityErrorCodes.AttestationIssuerUnavailable => StatusCodes.Status503ServiceUnavailable,
        IdentityErrorCodes.AttestationIssuerUntrusted or IdentityErrorCodes.AttestationTokenReplayed or IdentityErrorCodes.JoinTokenInvalid => StatusCodes.Status401Unauthorized,
        _ when code.StartsWith("token-", StringComparison.Ordinal) => StatusCodes.Status401Unauthorized,
        _ => StatusCodes.Status400BadRequest,
    };

    public static string Title(string code) => code switch
    {
        _ when code.StartsWith("token-", StringComparison.Ordinal) => "The token is not valid.",
        _ when code.StartsWith("csr-", StringComparison.Ordinal) => "The certificate signing request is refused.",
        _ when code.StartsWith("attestation-", StringComparison.Ordinal) || code == IdentityErrorCodes.JoinTokenInvalid => "Attestation failed.",
        _ when code.StartsWith("svid-", StringComparison.Ordinal) => "The SVID request is not valid.",
        _ => "The identity request is refused.",
    };
}
