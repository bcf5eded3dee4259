using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Mandate.Core.Storage;

namespace Mandate.Core.Detection;

/// <summary>An identity's risk for operators: read it, and clear it (audited) once the cause is dealt with.</summary>
internal sealed class RiskService(IMandateStore store, IAuditTrail audit, RiskBook book, TimeProvider time)
{
    public RiskAssessment Current(string identity) => book.Assess(identity) ?? new RiskAssessment(0, RiskLevels.Low);

    public IReadOnlyList<(string Identity, RiskAssessment Risk, StoredRisk Stored)> Raised() => book.Snapshot();

    /// <summary>Sets the identity's risk to zero and records <c>risk.cleared</c> with the score it had; returns that score.</summary>
    public async Task<RiskAssessment> ClearAsync(string identity, string actor, string? reason, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(identity);
        var before = Current(identity);
        var now = time.GetUtcNow();
        var cleared = new StoredRisk(identity, 0, now, "cleared by " + actor);
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.Get<IDetectionRepository>().SetRiskAsync(cleared, cancellationToken).ConfigureAwait(false);
            await audit.RecordAsync(
                session,
                new AuditEvent
                {
                    Type = "risk.cleared",
                    Actor = actor,
                    Subject = identity,
                    Action = "clear_risk",
                    Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(),
                    RequestId = requestId,
                    Details = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["previous_score"] = before.Score.ToString(CultureInfo.InvariantCulture),
                        ["previous_level"] = before.Level,
                    },
                },
                cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        book.Apply(cleared);
        return before;
    }
}
