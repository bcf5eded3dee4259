using System.Collections.Concurrent;
using Mandate.Core.Decisions;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Detection;

/// <summary>
/// Every identity's risk on this node, read on the decision path (no I/O): a score 0–100 that rule hits raise and that
/// halves every <see cref="DetectionOptions.RiskHalfLife"/>. The store holds the same values (<c>detection_risk</c>);
/// the engine loads them at start and writes every change in the transaction that records its cause.
/// </summary>
internal sealed class RiskBook(TimeProvider time, IOptions<DetectionOptions> options)
{
    private readonly ConcurrentDictionary<string, StoredRisk> scores = new(StringComparer.Ordinal);
    private readonly double halfLifeMs = options.Value.RiskHalfLife.TotalMilliseconds;

    /// <summary>The current risk of <paramref name="identity"/>, or null when it has none recorded.</summary>
    public RiskAssessment? Assess(string identity)
    {
        if (!scores.TryGetValue(identity, out var stored))
        {
            return null;
        }

        var score = (long)Math.Round(Decayed(stored, time.GetUtcNow()), MidpointRounding.AwayFromZero);
        return new RiskAssessment(score, RiskLevels.Of(score));
    }

    /// <summary>The score now, before rounding.</summary>
    public double Current(string identity) => scores.TryGetValue(identity, out var stored) ? Decayed(stored, time.GetUtcNow()) : 0;

    /// <summary>The decayed score plus <paramref name="points"/>, capped at 100, as of now (not yet applied).</summary>
    public StoredRisk Raised(string identity, int points, string reason)
    {
        var now = time.GetUtcNow();
        return new StoredRisk(identity, Math.Min(100, Current(identity) + points), now, reason);
    }

    /// <summary>Makes <paramref name="risk"/> the identity's risk on this node (after the store has it).</summary>
    public void Apply(StoredRisk risk)
    {
        ArgumentNullException.ThrowIfNull(risk);
        scores[risk.Identity] = risk;
    }

    /// <summary>Forgets the identity's risk (the store holds none).</summary>
    public void Remove(string identity) => scores.TryRemove(identity, out _);

    /// <summary>Replaces everything with what the store holds.</summary>
    public void Load(IEnumerable<StoredRisk> stored)
    {
        // Never empty in between: a decision made during the swap sees either score, not none.
        var fresh = new Dictionary<string, StoredRisk>(StringComparer.Ordinal);
        foreach (var risk in stored)
        {
            fresh[risk.Identity] = risk;
            scores[risk.Identity] = risk;
        }

        foreach (var identity in scores.Keys)
        {
            if (!fresh.ContainsKey(identity))
            {
                scores.TryRemove(identity, out _);
            }
        }
    }

    /// <summary>Identities whose current score is above zero after rounding, highest first.</summary>
    public IReadOnlyList<(string Identity, RiskAssessment Risk, StoredRisk Stored)> Snapshot()
    {
        var now = time.GetUtcNow();
        return [.. scores.Values
            .Select(s => (s.Identity, Score: (long)Math.Round(Decayed(s, now), MidpointRounding.AwayFromZero), Stored: s))
            .Where(s => s.Score > 0)
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Identity, StringComparer.Ordinal)
            .Select(s => (s.Identity, new RiskAssessment(s.Score, RiskLevels.Of(s.Score)), s.Stored))];
    }

    private double Decayed(StoredRisk stored, DateTimeOffset now)
    {
        var elapsed = (now - stored.UpdatedAt).TotalMilliseconds;
        return elapsed <= 0 ? stored.Score : stored.Score * Math.Pow(0.5, elapsed / halfLifeMs);
    }
}
