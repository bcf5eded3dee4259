namespace Mandate.Core.Governance.Reviews;

/// <summary>Why a review request was refused: <see cref="Code"/> is a problem type code, <see cref="Message"/> its detail.</summary>
internal sealed record ReviewError(string Code, string Message);

/// <summary>The problem type codes of access reviews and offboarding.</summary>
internal static class ReviewErrorCodes
{
    public const string Invalid = "review-invalid";
    public const string NotFound = "review-not-found";
    public const string ItemDecided = "review-item-decided";
    public const string NotReviewer = "review-not-reviewer";
    public const string NotLiftable = "review-item-not-liftable";
    public const string OwnerDeparted = "owner-departed";
    public const string OffboardingInvalid = "offboarding-invalid";
    public const string OffboardingNotFound = "offboarding-not-found";
}
