using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Core.Telemetry;

namespace Mandate.Core.Decisions;

/// <summary>
/// Counts the allowed decisions an operator's settings let go unwritten: those sampled out
/// (<see cref="DecisionOptions.AuditAllowSampleRate"/> below 1) and those dropped because the audit queue was full
/// (<see cref="AuditOverflow.DropAllows"/>). The writer turns the counts into <c>audit.sampled</c> and
/// <c>audit.dropped</c> events in the chain (<see cref="TakeReport"/>), so the ledger itself says how much it does not
/// hold; each one is also counted on <c>mandate.audit.unwritten</c> as it happens.
/// </summary>
internal sealed class AuditLossCounter(TimeProvider time, double sampleRate, MandateMetrics? metrics = null)
{
    public const string DroppedType = "audit.dropped";
    public const string SampledType = "audit.sampled";

    private readonly Lock windowGate = new();
    private long dropped;
    private long sampled;
    private DateTimeOffset windowStart = time.GetUtcNow();

    /// <summary>Counts not yet written to the chain.</summary>
    public bool HasPending => Interlocked.Read(ref dropped) > 0 || Interlocked.Read(ref sampled) > 0;

    /// <summary>Every allow dropped since start (written or not yet): for tests and status.</summary>
    public long TotalDropped => Interlocked.Read(ref totalDropped);

    /// <summary>Every allow sampled out since start.</summary>
    public long TotalSampled => Interlocked.Read(ref totalSampled);

    private long totalDropped;
    private long totalSampled;

    public void Dropped()
    {
        Interlocked.Increment(ref dropped);
        Interlocked.Increment(ref totalDropped);
        metrics?.AuditUnwritten(MandateMetrics.UnwrittenReasons.QueueFull);
    }

    public void Sampled()
    {
        Interlocked.Increment(ref sampled);
        Interlocked.Increment(ref totalSampled);
        metrics?.AuditUnwritten(MandateMetrics.UnwrittenReasons.Sampled);
    }

    /// <summary>
    /// Takes the counts gathered since the last report and returns the events that record them (none when nothing
    /// was lost). The caller must write them: the counts are reset here.
    /// </summary>
    public IReadOnlyList<AuditEvent> TakeReport()
    {
        lock (windowGate)
        {
            var now = time.GetUtcNow();
            var droppedNow = Interlocked.Exchange(ref dropped, 0);
            var sampledNow = Interlocked.Exchange(ref sampled, 0);
            if (droppedNow == 0 && sampledNow == 0)
            {
                return [];
            }

            var events = new List<AuditEvent>(2);
            if (droppedNow > 0)
            {
                events.Add(Report(DroppedType, droppedNow, now, "the audit queue was full (Mandate:Decisions:AuditOverflow = DropAllows)", null));
            }

            if (sampledNow > 0)
            {
                events.Add(Report(SampledType, sampledNow, now, "sampled out (Mandate:Decisions:AuditAllowSampleRate)", sampleRate.ToString("R", CultureInfo.InvariantCulture)));
            }

            windowStart = now;
            return events;
        }
    }

    /// <summary>One counted event for the stretch since the last report.</summary>
    private AuditEvent Report(string type, long count, DateTimeOffset now, string reason, string? rate)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["count"] = count.ToString(CultureInfo.InvariantCulture),
            ["of_type"] = "decision",
            ["of_decision"] = "allow",
            ["window_start"] = AuditCanonicalForm.FormatTime(windowStart),
            ["window_end"] = AuditCanonicalForm.FormatTime(now),
        };
        if (rate is not null)
        {
            details["sample_rate"] = rate;
        }

        return new AuditEvent { Type = type, Actor = "system", Reason = reason, Details = details };
    }
}
