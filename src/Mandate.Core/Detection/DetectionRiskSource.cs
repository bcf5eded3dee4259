using Mandate.Cedar;
using Mandate.Core.Decisions;

namespace Mandate.Core.Detection;

/// <summary>
/// <c>context.risk</c> of every decision from the detection engine's <see cref="RiskBook"/>, keyed by the principal's
/// id (the identity's SPIFFE ID). The decision point drops any <c>risk</c> the caller sent, so this value is the only one
/// policies see.
/// </summary>
internal sealed class DetectionRiskSource(RiskBook book) : IRiskSource
{
    public RiskAssessment? Assess(EntityUid principal) => book.Assess(principal.Id);
}
