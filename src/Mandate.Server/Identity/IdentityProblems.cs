using Mandate.Core.Identity;

namespace Mandate.Server.Identity;

/// <summary>The status of an identity error's problem details (type and title: <see cref="Problems.ProblemTypes"/>); <see cref="IdentityRefusals"/> audits and answers.</summary>
internal static class IdentityProblems
{
    public static int Status(string code) => code switch
    {
        IdentityErrorCodes.IdentityUnknown => StatusCodes.Status404NotFound,
        IdentityErrorCodes.IdentityExists or IdentityErrorCodes.IdentityTransitionRefused or Core.Governance.Reviews.ReviewErrorCodes.OwnerDeparted => StatusCodes.Status409Conflict,
        IdentityErrorCodes.IdentityInactive or IdentityErrorCodes.AttestationNoRuleMatched => StatusCodes.Status403Forbidden,
        IdentityErrorCodes.AttestationIssuerUnavailable => StatusCodes.Status503ServiceUnavailable,
        IdentityErrorCodes.AttestationIssuerUntrusted or IdentityErrorCodes.AttestationTokenReplayed or IdentityErrorCodes.JoinTokenInvalid => StatusCodes.Status401Unauthorized,
        _ when code.StartsWith("token-", StringComparison.Ordinal) => StatusCodes.Status401Unauthorized,
        _ => StatusCodes.Status400BadRequest,
    };
}
