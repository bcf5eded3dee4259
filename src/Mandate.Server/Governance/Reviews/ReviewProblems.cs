using Mandate.Core.Governance.Reviews;
using Mandate.Core.Operators;
using Mandate.Server.Problems;

namespace Mandate.Server.Governance.Reviews;

/// <summary>The HTTP status of each review and offboarding refusal.</summary>
internal static class ReviewProblems
{
    public static IResult Result(ReviewError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var status = error.Code switch
        {
            ReviewErrorCodes.NotFound or ReviewErrorCodes.OffboardingNotFound or Core.Identity.IdentityErrorCodes.IdentityUnknown => StatusCodes.Status404NotFound,
            ReviewErrorCodes.ItemDecided or ReviewErrorCodes.OwnerDeparted or Core.Identity.IdentityErrorCodes.IdentityTransitionRefused => StatusCodes.Status409Conflict,
            ReviewErrorCodes.NotReviewer or OperatorErrorCodes.SeparationOfDuties => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status400BadRequest,
        };
        return Problem.Result(status, ProblemTypes.Of(error.Code), error.Message);
    }
}
