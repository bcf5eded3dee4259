using Mandate.Core.Audit;

namespace Mandate.Core.Detection;

/// <summary>What a rule sees while one ledger record is processed: the record, the rules' memory, and where hits go.</summary>
internal sealed class DetectionScope(DetectionStateStore state, IReadOnlyDictionary<string, DetectionRuleSettings> settings, List<DetectionHit> hits)
{
    public AuditRecord Record { get; private set; } = null!;

    public AuditEvent Event => Record.Event;

    /// <summary>The record's ledger time in Unix ms: windows follow the ledger, so a replay decides the same way.</summary>
    public long At { get; private set; }

    public DetectionStateStore State => state;

    public DetectionRuleSettings Settings(string rule) => settings[rule];

    internal void Begin(AuditRecord record)
    {
        Record = record;
        At = record.Time.ToUnixTimeMilliseconds();
    }

    /// <summary>Raises a hit of <paramref name="rule"/> against <paramref name="identity"/>.</summary>
    public void Hit(string rule, string identity, string summary, IReadOnlyList<long> evidence, string? taskId = null) =>
        hits.Add(new DetectionHit(rule, identity, summary, evidence, taskId ?? Event.TaskId, Record.Time));
}

/// <summary>A rule that fired: about whom, why, on which ledger records.</summary>
internal sealed record DetectionHit(string Rule, string Identity, string Summary, IReadOnlyList<long> Evidence, string? TaskId, DateTimeOffset At);
