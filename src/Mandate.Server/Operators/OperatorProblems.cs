using Mandate.Core.Decisions;
using Mandate.Core.Operators;
using Mandate.Server.Problems;

namespace Mandate.Server.Operators;

/// <summary>Operator and PEP-credential refusals as problem details.</summary>
internal static class OperatorProblems
{
    public static int StatusOf(string code) => code switch
    {
        OperatorErrorCodes.NotFound or OperatorErrorCodes.TokenNotFound or OperatorErrorCodes.SignInNotConfigured or PepCredentialErrorCodes.NotFound => StatusCodes.Status404NotFound,
        OperatorErrorCodes.Exists or OperatorErrorCodes.Disabled or OperatorErrorCodes.LastAdmin or OperatorErrorCodes.TokenRevoked
            or PepCredentialErrorCodes.Exists or PepCredentialErrorCodes.Revoked => StatusCodes.Status409Conflict,
        OperatorErrorCodes.SignInRefused => StatusCodes.Status401Unauthorized,
        OperatorErrorCodes.SeparationOfDuties => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status400BadRequest,
    };

    public static IResult Result(OperatorError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Problem.Result(StatusOf(error.Code), ProblemTypes.Of(error.Code), error.Message);
    }
}
