using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>
/// Supplies <c>context.risk</c> for a principal (detection plugs in here). Without a source, or when it has nothing to
/// say, risk is <c>{"score": 0, "level": "low"}</c>.
/// </summary>
internal interface IRiskSource
{
    /// <summary>The current risk of the principal, or null when the source knows nothing about it. Must be fast (hot path).</summary>
    RiskAssessment? Assess(EntityUid principal);
}

/// <summary>A risk score 0–100 and its level (<c>low</c>, <c>medium</c>, <c>high</c>, <c>critical</c>).</summary>
internal sealed record RiskAssessment(long Score, string Level);
