using Mandate.Core.Governance.Reviews;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Operators;
using Mandate.Server.Problems;

namespace Mandate.Server.Governance.Reviews;

/// <summary>The HTTP status of each review and offboarding refusal; a 403 is also in the ledger (<c>access.forbidden</c>), like every 403.</summary>
internal static class ReviewProblems
{
    public static async Task<IResult> ResultAsync(HttpContext context, ReviewError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        var status = error.Code switch
        {
            ReviewErrorCodes.NotFound or ReviewErrorCodes.OffboardingNotFound or Core.Identity.IdentityErrorCodes.IdentityUnknown => StatusCodes.Status404NotFound,
            ReviewErrorCodes.ItemDecided or ReviewErrorCodes.NotLiftable or ReviewErrorCodes.OwnerDeparted or Core.Identity.IdentityErrorCodes.IdentityTransitionRefused => StatusCodes.Status409Conflict,
            ReviewErrorCodes.NotReviewer or OperatorErrorCodes.SeparationOfDuties => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status400BadRequest,
        };
        if (status == StatusCodes.Status403Forbidden)
        {
            await context.RequestServices.GetRequiredService<AuthenticationFailureAudit>().RecordForbiddenAsync(context, context.OperatorActor(), error.Message);
        }

        return Problem.Result(status, ProblemTypes.Of(error.Code), error.Message);
    }
}
