using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Mandate.Benchmarks.Decisions;

/// <summary>
/// The runtime's allocation samples (GCAllocationTick: one event about every 100 KB allocated, naming the type that
/// crossed the mark) counted by type while it listens: where the bytes of a run go, roughly in proportion.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int GcKeyword = 0x1;
    private readonly ConcurrentDictionary<string, long> bytesByType = new(StringComparer.Ordinal);

    public volatile bool Counting;

    public IEnumerable<KeyValuePair<string, long>> Top(int count) => bytesByType.OrderByDescending(p => p.Value).Take(count).ToList();

    public void Clear() => bytesByType.Clear();

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Counting || eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        var type = eventData.PayloadNames?.IndexOf("TypeName") is int t and >= 0 ? eventData.Payload[t] as string ?? "?" : "?";
        var amount = eventData.PayloadNames?.IndexOf("AllocationAmount64") is int a and >= 0 ? Convert.ToInt64(eventData.Payload[a], System.Globalization.CultureInfo.InvariantCulture) : 0;
        bytesByType.AddOrUpdate(type, amount, (_, total) => total + amount);
    }
}
